// The buyer's side of a call: the invitation in their language, one tap to accept (no app), then the
// camera pointed at the product, with mute, camera off, front/back camera and hang-up.
//
// The connection is prepared while the invitation is on screen (see shared/call-peer.js): this page rings,
// answers the agent's offer without sending anything, and only opens the camera when the buyer accepts.
import { CallPeer, openDevices } from '../shared/call-peer.js';
import { formatDuration } from '../shared/format.js';
import { callLabels } from './i18n.js';

const $ = (id) => document.getElementById(id);
const now = () => performance.timeOrigin + performance.now();

export class BuyerCalls {
  #api;
  #language;
  #live = null;
  #call = null; // {id, media, labels, peer, stream, facing, accepted}

  /**
   * @param {object} options
   * @param {import('./visitor-api.js').VisitorApi} options.api
   * @param {() => string} options.language  the buyer's language now
   */
  constructor({ api, language }) {
    this.#api = api;
    this.#language = language;
    $('call-accept').addEventListener('click', () => this.accept());
    $('call-decline').addEventListener('click', () => this.#end('declined', null));
    $('call-hangup').addEventListener('click', () => this.#end(null, 'ended'));
    $('call-mute').addEventListener('click', () => this.#toggle('audio', 'call-mute', 'unmute', 'mute'));
    $('call-camera').addEventListener('click', () => this.#toggle('video', 'call-camera', 'cameraOn', 'cameraOff'));
    $('call-switch').addEventListener('click', () => this.switchCamera());
    $('call-consent-allow').addEventListener('click', () => this.#answerRecording('allow'));
    $('call-consent-refuse').addEventListener('click', () => this.#answerRecording('refuse'));
  }

  /** Follow a (new) live socket: the widget makes one per session. */
  attach(live) {
    this.#live = live;
    live.addEventListener('event', ({ detail }) => {
      if (detail.event === 'call.updated') this.#onUpdated(detail.data);
    });
    live.addEventListener('call.signal', ({ detail }) => {
      const call = this.#call;
      if (call?.peer && detail.call_id === call.id) call.peer.receive(detail.data).catch(() => this.#end('ice_failed', 'failed'));
    });
    live.addEventListener('error', ({ detail }) => {
      // Another window of this buyer rang first, or the call ended meanwhile: this one steps aside.
      if (this.#call && detail.call_id === this.#call.id && detail.code === 'conflict' && !this.#call.accepted) this.#finish(null);
    });
  }

  async #onUpdated(record) {
    if (record.state === 'ringing' && !this.#call) await this.#invite(record);
    else if (this.#call && record.id === this.#call.id && record.state === 'active') this.#showRecording(record.recording);
    else if (this.#call && record.id === this.#call.id && record.state === 'ended') {
      this.#finish(this.#call.accepted || record.end_reason !== 'cancelled' ? 'ended' : null);
    }
  }

  async #invite(record) {
    const labels = callLabels(this.#language(), record.agent?.name ?? '');
    const call = { id: record.id, media: record.media, labels, peer: null, stream: null, facing: 'environment', accepted: false };
    this.#call = call;
    $('call-invite-title').textContent = record.media === 'video' ? labels.inviteVideo : labels.inviteVoice;
    $('call-invite-text').textContent = labels.pitch;
    $('call-accept').textContent = labels.accept;
    $('call-decline').textContent = labels.decline;
    $('call-notice').hidden = true;
    $('call-invite').hidden = false;
    document.body.dataset.call = 'invited';
    let ice;
    try {
      ice = await this.#api.iceServers();
    } catch {
      ice = { ice_servers: [] };
    }
    if (this.#call !== call) return;
    call.peer = new CallPeer({ ice, send: (data) => this.#live?.send({ type: 'call.signal', call_id: call.id, data }) });
    call.peer.addEventListener('track', ({ detail }) => {
      const remote = $('call-remote');
      if (remote.srcObject !== detail) remote.srcObject = detail;
    });
    call.peer.addEventListener('state', ({ detail }) => {
      if (this.#call !== call) return;
      if (detail === 'connected' && call.accepted) $('call-live-status').textContent = call.labels.live;
      if (detail === 'failed') this.#end('ice_failed', 'failed');
    });
    // Ringing makes this page the buyer's side: the agent's offer comes here, and is answered at once.
    this.#live?.send({ type: 'call.ring', call_id: call.id });
  }

  async accept() {
    const call = this.#call;
    if (!call || call.accepted) return;
    call.accepted = true;
    document.body.dataset.callAcceptedAt = String(now());
    const { labels } = call;
    $('call-invite').hidden = true;
    $('call-live').hidden = false;
    $('call-live-status').textContent = labels.connecting;
    $('call-mute').textContent = labels.mute;
    $('call-camera').textContent = labels.cameraOff;
    $('call-switch').textContent = labels.switchCamera;
    $('call-hangup').textContent = labels.hangUp;
    $('call-camera').hidden = $('call-switch').hidden = call.media !== 'video';
    const devices = await openDevices({ video: call.media === 'video', audio: true, facingMode: call.facing });
    if (this.#call !== call) {
      devices.stream?.getTracks().forEach((t) => t.stop());
      return;
    }
    if (!devices.stream) {
      this.#end(devices.error === 'denied' ? 'camera_denied' : 'no_devices', devices.error === 'denied' ? 'denied' : 'noDevices');
      return;
    }
    call.stream = devices.stream;
    // Going on without one of them; the agent is told so they do not wait for a voice or a picture.
    for (const kind of devices.missing) this.#live?.send({ type: 'call.signal', call_id: call.id, data: { notice: `no_${kind}` } });
    $('call-local').srcObject = devices.stream;
    await call.peer?.useTracks(devices.stream);
    this.#live?.send({ type: 'call.accept', call_id: call.id });
    document.body.dataset.call = 'active';
    const remote = $('call-remote');
    remote.muted = false; // the agent's voice plays only once the buyer has accepted (a tap: autoplay allows it)
    remote.play().catch(() => {});
    if (call.peer?.pc.connectionState === 'connected') $('call-live-status').textContent = labels.live;
    this.#offerCameraSwitch();
  }

  /** The agent asked to record: the buyer decides; while it records, a red line says so. */
  #showRecording(recording) {
    const { labels } = this.#call;
    const asked = recording?.state === 'asked';
    $('call-consent').hidden = !asked;
    if (asked) {
      $('call-consent-text').textContent = labels.askRecord;
      $('call-consent-allow').textContent = labels.allowRecord;
      $('call-consent-refuse').textContent = labels.refuseRecord;
    }
    $('call-recording').hidden = recording?.state !== 'allowed';
    $('call-recording').textContent = labels.recording;
  }

  #answerRecording(action) {
    const call = this.#call;
    if (!call) return;
    this.#live?.send({ type: 'call.record', call_id: call.id, action });
    $('call-consent').hidden = true;
  }

  async switchCamera() {
    const call = this.#call;
    const old = call?.stream?.getVideoTracks()[0];
    if (!old) return;
    const facing = call.facing === 'environment' ? 'user' : 'environment';
    const { stream } = await openDevices({ video: true, audio: false, facingMode: facing });
    const track = stream?.getVideoTracks()[0];
    if (!track || this.#call !== call) return;
    call.facing = facing;
    call.stream.removeTrack(old);
    old.stop();
    call.stream.addTrack(track);
    await call.peer.useTracks(call.stream);
    $('call-local').srcObject = call.stream;
  }

  async #offerCameraSwitch() {
    // Phones have a front and a back camera; a laptop's single webcam has nothing to switch to.
    const devices = await navigator.mediaDevices.enumerateDevices().catch(() => []);
    $('call-switch').hidden = this.#call?.media !== 'video' || devices.filter((d) => d.kind === 'videoinput').length < 2;
  }

  #toggle(kind, id, offLabel, onLabel) {
    const call = this.#call;
    const tracks = call?.stream?.getTracks().filter((t) => t.kind === kind) ?? [];
    if (!tracks.length) return;
    const enabled = !tracks[0].enabled;
    for (const track of tracks) track.enabled = enabled;
    $(id).textContent = call.labels[enabled ? onLabel : offLabel];
    $(id).setAttribute('aria-pressed', String(!enabled));
  }

  /** End from this side: tell the desk why (a hang-up, a decline, a refused camera...) and close. */
  #end(reason, notice) {
    const call = this.#call;
    if (!call) return;
    this.#live?.send({ type: 'call.hangup', call_id: call.id, ...(reason ? { reason } : {}) });
    this.#finish(notice);
  }

  #finish(notice) {
    const call = this.#call;
    this.#call = null;
    if (call) {
      call.peer?.close();
      call.stream?.getTracks().forEach((t) => t.stop());
    }
    $('call-invite').hidden = true;
    $('call-live').hidden = true;
    $('call-consent').hidden = true;
    $('call-recording').hidden = true;
    $('call-local').srcObject = null;
    $('call-remote').srcObject = null;
    $('call-remote').muted = true;
    document.body.dataset.call = 'ended';
    const text = notice && call ? call.labels[notice] : '';
    $('call-notice').textContent = text;
    $('call-notice').hidden = !text;
  }
}

/** How a call's record reads in the buyer's timeline. */
export function buyerCallText(message, language) {
  const call = message.meta?.call;
  if (!call) return message.body;
  const labels = callLabels(language, call.agent?.name ?? '');
  const title = call.media === 'video' ? labels.inviteVideo : labels.inviteVoice;
  if (call.end_reason === 'completed' && call.duration_s != null) {
    return `${title} · ${formatDuration(call.duration_s)}`;
  }
  return `${title} · ${labels.ended}`;
}
