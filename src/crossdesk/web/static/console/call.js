// The agent's side of a call: start it from the open conversation, see and hear the buyer, snapshot
// evidence onto the conversation, watch the connection's quality, hang up. One call at a time; the panel
// floats over the desk so the agent can keep reading the conversation (or another) during the call.
import { CallPeer, onFirstFrame, openDevices } from '../shared/call-peer.js';
import { formatDuration } from '../shared/format.js';
import { newClientId } from '../shared/ids.js';

const STATS_EVERY_MS = 2000;
const REPORT_EVERY = 3; // of the samples: send the server one every 6 s (and the last at hang-up)

const ENDED = {
  completed: 'Call ended.',
  cancelled: 'Call cancelled.',
  declined: 'The buyer declined the call. Ask in the chat when suits them.',
  no_answer: 'No answer within a minute. The buyer may have stepped away.',
  buyer_offline: 'The buyer is not on the page right now. Leave a message; call again when they are back.',
  camera_denied: "The buyer's browser refused the camera or microphone. They can allow it from the address bar; then call again.",
  no_devices: 'The buyer has no camera or microphone on this device.',
  ice_failed: 'No network path between you and the buyer.',
  disconnected: 'The call dropped: a page was closed or lost its connection.',
};
const BUYER_NOTICES = {
  no_audio: 'The buyer has no microphone: you see them but cannot hear them. Keep talking in the chat.',
  no_video: 'The buyer has no camera on this device: a voice call only.',
};
const TURN_HINT = ' Networks like theirs need a TURN server: see docs/deploy-video.md.';
const TURN_BROKEN_HINT = ' Even the TURN relay did not get through: check the TURN server.';

export class CallView {
  #panel;
  #live;
  #api;
  #call = null; // {clientId, id, conversationId, media, peer, stream, ringing, offered, timer, samples}
  #ice = null;
  #$;

  /**
   * @param {HTMLElement} panel  the floating call panel
   * @param {object} options
   * @param {import('../shared/live.js').LiveSocket} options.live
   * @param {import('./api.js').DeskApi} options.api
   */
  constructor(panel, { live, api }) {
    this.#panel = panel;
    this.#live = live;
    this.#api = api;
    this.#$ = (name) => panel.querySelector(`[data-testid="${name}"]`);
    this.#$('call-hangup').addEventListener('click', () => this.hangUp());
    this.#$('call-mute').addEventListener('click', () => this.#toggle('audio', 'call-mute', 'Unmute', 'Mute'));
    this.#$('call-camera').addEventListener('click', () => this.#toggle('video', 'call-camera', 'Camera on', 'Camera off'));
    this.#$('call-snapshot').addEventListener('click', () => this.snapshot());
    this.#$('call-record-button').addEventListener('click', () => this.#toggleRecording());
    this.#$('call-close').addEventListener('click', () => { this.#panel.hidden = true; });
    const on = (type, handler) => live.addEventListener(type, (event) => handler(event.detail));
    on('call.started', (frame) => this.#onStarted(frame));
    on('call.signal', (frame) => this.#onSignal(frame));
    on('event', (frame) => { if (frame.event === 'call.updated') this.#onUpdated(frame.data); });
    on('error', (frame) => this.#onError(frame));
  }

  get busy() {
    return this.#call !== null;
  }

  /** Ring the buyer of `conversationId`. */
  async start(conversationId, media) {
    if (this.#call) return;
    const call = { clientId: newClientId(), id: null, conversationId, media, ringing: false, offered: false, samples: 0 };
    this.#call = call;
    this.#show(media === 'video' ? 'Calling… the buyer sees an invitation' : 'Calling… (voice)', '');
    Object.assign(this.#panel.dataset, { state: 'calling', callId: '', connectedAt: '', firstFrameAt: '' });
    this.#$('call-snapshot').hidden = media !== 'video';
    // The invitation goes out first; camera and ICE servers are prepared while it is on the buyer's screen.
    if (!this.#live.send({ type: 'call.start', conversation_id: conversationId, media, client_id: call.clientId })) {
      this.#finish('You are offline: the call could not start.');
      return;
    }
    const [ice, devices] = await Promise.all([this.#iceServers(), openDevices({ video: media === 'video', audio: true })]);
    if (this.#call !== call) {
      devices.stream?.getTracks().forEach((t) => t.stop());
      return;
    }
    call.ice = ice;
    call.stream = devices.stream;
    if (devices.error) this.#note('Your browser refused the camera and microphone: the buyer will not see or hear you, but you can still see them.');
    else if (devices.missing.length) this.#note(`No ${devices.missing.join(' or ')} found here: the buyer will not ${devices.missing.includes('audio') ? 'hear' : 'see'} you.`);
    if (call.stream) this.#$('call-local-video').srcObject = call.stream;
    call.peer = new CallPeer({ ice, send: (data) => this.#signal(call, data) });
    call.peer.addEventListener('track', (event) => this.#showRemote(call, event.detail));
    call.peer.addEventListener('state', (event) => this.#onPeerState(call, event.detail));
    this.#offerIfReady(call);
  }

  hangUp(reason = null) {
    const call = this.#call;
    if (!call) return;
    if (call.id !== null) {
      this.#reportQuality(call, true);
      this.#live.send({ type: 'call.hangup', call_id: call.id, ...(reason ? { reason } : {}) });
    }
    this.#finish(reason === 'ice_failed' ? this.#iceFailedText(call) : 'Call ended.');
  }

  /** Attach a full-resolution frame of the buyer's video to the conversation. */
  async snapshot() {
    const call = this.#call;
    const video = this.#$('call-remote-video');
    if (!call?.id || !video.videoWidth) return;
    const canvas = document.createElement('canvas');
    canvas.width = video.videoWidth;
    canvas.height = video.videoHeight;
    canvas.getContext('2d').drawImage(video, 0, 0);
    const blob = await new Promise((resolve) => canvas.toBlob(resolve, 'image/png'));
    try {
      await this.#api.callSnapshot(call.id, blob);
      this.#note(`Snapshot attached to the conversation (${canvas.width}×${canvas.height}).`);
    } catch (error) {
      this.#note(`The snapshot could not be attached: ${error.message}`);
    }
  }

  // ---- the server's frames ------------------------------------------------------------------------

  #onStarted(frame) {
    const call = this.#call;
    if (!call || frame.client_id !== call.clientId) return;
    call.id = frame.call.id;
    this.#panel.dataset.callId = String(call.id);
    this.#panel.dataset.state = 'ringing';
  }

  #onSignal(frame) {
    const call = this.#call;
    if (!call || frame.call_id !== call.id) return;
    if (frame.data.notice) {
      this.#note(BUYER_NOTICES[frame.data.notice] ?? '');
    } else if (frame.data.ringing) {
      call.ringing = true;
      this.#status('Ringing… waiting for the buyer to accept');
      this.#offerIfReady(call);
    } else {
      call.peer?.receive(frame.data).catch((error) => this.#note(`Call setup failed: ${error.message}`));
    }
  }

  #onUpdated(record) {
    const call = this.#call;
    if (!call || record.id !== call.id) return;
    if (record.state === 'active') {
      this.#panel.dataset.state = 'active';
      this.#status('Connected: the buyer accepted');
      call.timer = setInterval(() => this.#sample(call), STATS_EVERY_MS);
      this.#sample(call); // the path (direct or TURN) is known at once
    }
    if (record.recording) this.#onRecording(call, record.recording);
    if (record.state === 'ended') {
      const text = record.end_reason === 'ice_failed' ? this.#iceFailedText(call) : ENDED[record.end_reason] ?? 'Call ended.';
      this.#finish(text, record.end_reason);
    }
  }

  // ---- recording, with the buyer's consent -------------------------------------------------------------

  #toggleRecording() {
    const call = this.#call;
    if (!call?.id) return;
    const state = call.recording?.state;
    if (state === 'asked' || state === 'allowed') {
      this.#live.send({ type: 'call.record', call_id: call.id, action: 'stop' });
    } else {
      this.#live.send({ type: 'call.record', call_id: call.id, action: 'ask' });
      this.#note('Asking the buyer to allow recording…');
    }
  }

  #onRecording(call, recording) {
    const previous = call.recording?.state;
    call.recording = recording;
    const button = this.#$('call-record-button');
    this.#panel.dataset.recording = recording.state;
    button.textContent = recording.state === 'asked' || recording.state === 'allowed' ? 'Stop recording' : 'Record';
    if (recording.state === previous) return;
    if (recording.state === 'allowed') {
      this.#startRecorder(call);
      this.#note('Recording, with the buyer\'s consent.');
    } else if (recording.state === 'refused') {
      this.#note('The buyer did not allow recording. Snapshots still work.');
    } else if (recording.state === 'stopped') {
      this.#stopRecorder(call);
    }
  }

  #startRecorder(call) {
    if (call.recorder || !call.peer) return;
    // One file: the buyer's video, and both voices mixed (a recorder takes one audio track).
    const audio = new AudioContext();
    const mix = audio.createMediaStreamDestination();
    for (const stream of [call.peer.remote, call.stream]) {
      if (stream?.getAudioTracks().length) audio.createMediaStreamSource(stream).connect(mix);
    }
    const tracks = [...call.peer.remote.getVideoTracks(), ...mix.stream.getAudioTracks()];
    const type = ['video/webm;codecs=vp8,opus', 'video/webm'].find((t) => MediaRecorder.isTypeSupported(t));
    const recorder = new MediaRecorder(new MediaStream(tracks), type ? { mimeType: type } : {});
    const chunks = [];
    recorder.ondataavailable = (event) => { if (event.data.size) chunks.push(event.data); };
    recorder.start(1000);
    call.recorder = { recorder, chunks, audio };
  }

  /** Stop the recorder (if one runs) and upload what it made; the upload may outlive the call. */
  async #stopRecorder(call) {
    const running = call.recorder;
    if (!running) return;
    call.recorder = null;
    await new Promise((resolve) => {
      running.recorder.onstop = resolve;
      running.recorder.stop();
    });
    running.audio.close();
    const blob = new Blob(running.chunks, { type: 'video/webm' });
    try {
      await this.#api.callRecording(call.id, blob);
      this.#note(`Recording attached to the conversation (${(blob.size / 1024 / 1024).toFixed(1)} MB).`);
    } catch (error) {
      this.#note(`The recording could not be attached: ${error.message}`);
    }
  }

  #onError(frame) {
    const call = this.#call;
    if (!call) return;
    if (frame.client_id === call.clientId || (frame.call_id != null && frame.call_id === call.id)) {
      if (call.id === null || frame.code === 'not_found') this.#finish(frame.detail);
      else this.#note(frame.detail);
    }
  }

  // ---- the connection ---------------------------------------------------------------------------------

  async #offerIfReady(call) {
    // Both are needed: a buyer page to send the offer to, and the local devices and ICE servers.
    if (!call.ringing || !call.peer || call.offered) return;
    call.offered = true;
    const kinds = call.media === 'video' ? ['audio', 'video'] : ['audio'];
    try {
      await call.peer.offer(call.stream, kinds);
    } catch (error) {
      this.#note(`Call setup failed: ${error.message}`);
    }
  }

  #signal(call, data) {
    if (call.id !== null) this.#live.send({ type: 'call.signal', call_id: call.id, data });
  }

  #showRemote(call, stream) {
    const video = this.#$('call-remote-video');
    if (video.srcObject === stream) return;
    video.srcObject = stream;
    onFirstFrame(video, (at) => {
      if (this.#call === call) this.#panel.dataset.firstFrameAt = String(at);
    });
  }

  #onPeerState(call, state) {
    if (this.#call !== call) return;
    if (state === 'connected') {
      this.#panel.dataset.connectedAt ||= String(performance.timeOrigin + performance.now());
      if (this.#panel.dataset.state === 'active') this.#sample(call);
    }
    if (state === 'failed') this.hangUp('ice_failed');
  }

  async #sample(call) {
    if (this.#call !== call || !call.peer) return;
    const quality = await call.peer.quality();
    call.quality = quality;
    const parts = [];
    if (quality.width) parts.push(`${quality.width}×${quality.height}`);
    if (quality.fps != null) parts.push(`${Math.round(quality.fps)} fps`);
    if (quality.rtt_ms != null) parts.push(`RTT ${Math.round(quality.rtt_ms)} ms`);
    if (quality.packet_loss_pct != null) parts.push(`loss ${quality.packet_loss_pct}%`);
    if (quality.bitrate_kbps != null) parts.push(`${Math.round(quality.bitrate_kbps)} kbit/s`);
    if (quality.relay != null) parts.push(quality.relay ? 'via TURN relay' : 'direct');
    this.#$('call-quality').textContent = parts.join(' · ');
    Object.assign(this.#panel.dataset, { width: quality.width ?? '', relay: String(quality.relay ?? '') });
    call.samples += 1;
    if (call.samples % REPORT_EVERY === 1) this.#reportQuality(call);
  }

  #reportQuality(call, last = false) {
    if (call.id === null || !call.quality || (last && !call.samples)) return;
    this.#live.send({ type: 'call.stats', call_id: call.id, stats: call.quality });
  }

  #iceFailedText(call) {
    return ENDED.ice_failed + (call?.ice?.relay_available ? TURN_BROKEN_HINT : TURN_HINT);
  }

  async #iceServers() {
    // Credentials last ttl_s; fetch again past half of it.
    if (!this.#ice || Date.now() > this.#ice.fetchedAt + (this.#ice.ttl_s * 1000) / 2) {
      this.#ice = { ...(await this.#api.iceServers()), fetchedAt: Date.now() };
    }
    return this.#ice;
  }

  // ---- the panel ----------------------------------------------------------------------------------

  #toggle(kind, testid, offLabel, onLabel) {
    const tracks = this.#call?.stream?.getTracks().filter((t) => t.kind === kind) ?? [];
    if (!tracks.length) return;
    const enabled = !tracks[0].enabled;
    for (const track of tracks) track.enabled = enabled;
    this.#$(testid).textContent = enabled ? onLabel : offLabel;
    this.#$(testid).setAttribute('aria-pressed', String(!enabled));
  }

  #show(status, note) {
    this.#panel.hidden = false;
    this.#panel.classList.add('call--live');
    this.#$('call-remote-video').srcObject = null;
    this.#$('call-local-video').srcObject = null;
    this.#$('call-quality').textContent = '';
    this.#$('call-mute').textContent = 'Mute';
    this.#$('call-camera').textContent = 'Camera off';
    this.#$('call-record-button').textContent = 'Record';
    this.#panel.dataset.recording = '';
    this.#status(status);
    this.#note(note);
  }

  #status(text) {
    this.#$('call-status').textContent = text;
  }

  #note(text) {
    const note = this.#$('call-notice');
    note.textContent = text;
    note.hidden = !text;
  }

  #finish(text, reason = '') {
    const call = this.#call;
    this.#call = null;
    if (call) {
      clearInterval(call.timer);
      this.#stopRecorder(call); // before the tracks end; once uploaded, its note replaces the one below
      call.peer?.close();
      call.stream?.getTracks().forEach((t) => t.stop());
    }
    this.#panel.classList.remove('call--live');
    this.#panel.dataset.state = 'ended';
    this.#panel.dataset.endReason = reason;
    this.#$('call-remote-video').srcObject = null;
    this.#$('call-local-video').srcObject = null;
    this.#status('No call');
    this.#note(text);
  }
}

/** How a call's record reads in the agent's timeline: who, how it ended, how long, how well. */
export function callRecordText(message) {
  const call = message.meta?.call;
  if (!call) return message.body;
  const what = call.media === 'video' ? 'Video call' : 'Voice call';
  const parts = [`${what} by ${call.agent?.name ?? 'an agent'}`];
  if (call.end_reason === 'completed' && call.duration_s != null) {
    parts.push(formatDuration(call.duration_s));
  } else {
    parts.push(call.end_reason?.replaceAll('_', ' ') ?? 'ended');
  }
  const q = call.quality ?? {};
  if (q.width) parts.push(`${q.width}×${q.height}${q.fps != null ? ` ${Math.round(q.fps)} fps` : ''}`);
  if (q.rtt_ms != null) parts.push(`RTT ${Math.round(q.rtt_ms)} ms`);
  if (q.packet_loss_pct != null) parts.push(`loss ${q.packet_loss_pct}%`);
  if (q.relay != null) parts.push(q.relay ? 'via TURN' : 'direct');
  return parts.join(' · ');
}
