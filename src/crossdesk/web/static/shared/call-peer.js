// One side of a call's WebRTC connection, shared by the console (the caller) and the widget (the callee).
// Signaling travels as `call.signal` frames on the desk's socket; media is peer to peer.
//
// Why connecting is fast: the buyer's page answers the agent's offer while the invitation is still on
// screen, with send-capable transceivers but no tracks, so ICE and DTLS complete before the buyer taps
// Accept. Accepting then only opens the camera and puts its track on the already-negotiated senders
// (replaceTrack: no renegotiation, no round trip). Until then the buyer's page sends nothing.

const STATS_KEYS = ['rtt_ms', 'packet_loss_pct', 'width', 'height', 'fps', 'bitrate_kbps'];

/**
 * Events: `track` (detail: the MediaStream of the remote side, `remote`), `state` (detail:
 * RTCPeerConnectionState).
 */
export class CallPeer extends EventTarget {
  #send;
  #pendingCandidates = [];
  #lastBytes = null;
  #local = null; // what useTracks was given: applied again when an offer creates the transceivers
  pc;

  /**
   * @param {object} options
   * @param {(data: object) => void} options.send  sends a `call.signal` frame's data to the other party
   * @param {{ice_servers: Array, ice_transport_policy?: string}} options.ice  from GET /api/v1/rtc/ice-servers
   */
  constructor({ send, ice }) {
    super();
    this.#send = send;
    this.pc = new RTCPeerConnection({
      iceServers: ice.ice_servers ?? [],
      iceTransportPolicy: ice.ice_transport_policy === 'relay' ? 'relay' : 'all',
      bundlePolicy: 'max-bundle',
    });
    this.pc.onicecandidate = ({ candidate }) => {
      if (candidate) this.#send({ candidate: candidate.toJSON() });
    };
    // One stream for everything the other side sends: its tracks may arrive without a stream id (the
    // buyer's are attached after the answer), one `track` event each.
    this.remote = new MediaStream();
    this.pc.ontrack = ({ track }) => {
      this.remote.addTrack(track);
      this.dispatchEvent(new CustomEvent('track', { detail: this.remote }));
    };
    this.pc.onconnectionstatechange = () => {
      this.dispatchEvent(new CustomEvent('state', { detail: this.pc.connectionState }));
    };
  }

  /** The caller: offer to send `stream` (may be null) and to receive `kinds` ("audio", "video"). */
  async offer(stream, kinds) {
    for (const kind of kinds) {
      const track = stream?.getTracks().find((t) => t.kind === kind) ?? null;
      this.pc.addTransceiver(track ?? kind, { direction: 'sendrecv', streams: stream ? [stream] : [] });
    }
    await this.pc.setLocalDescription(await this.pc.createOffer());
    this.#send({ description: this.pc.localDescription.toJSON() });
  }

  /** Apply what the other party sent: an offer (answered at once), an answer, or an ICE candidate. */
  async receive(data) {
    if (data.description) {
      await this.pc.setRemoteDescription(data.description);
      if (data.description.type === 'offer') {
        // Able to send from the start, so accepting later needs no renegotiation.
        for (const transceiver of this.pc.getTransceivers()) transceiver.direction = 'sendrecv';
        if (this.#local) await this.useTracks(this.#local); // accepted before the offer arrived
        await this.pc.setLocalDescription(await this.pc.createAnswer());
        this.#send({ description: this.pc.localDescription.toJSON() });
      }
      for (const candidate of this.#pendingCandidates.splice(0)) await this.#addCandidate(candidate);
    } else if (data.candidate) {
      if (this.pc.remoteDescription) await this.#addCandidate(data.candidate);
      else this.#pendingCandidates.push(data.candidate); // trickled ahead of the description
    }
  }

  async #addCandidate(candidate) {
    try {
      await this.pc.addIceCandidate(candidate);
    } catch {
      // A candidate the browser cannot use (another address family, say): the others still can.
    }
  }

  /** Send these tracks (the camera and microphone opened on Accept, or a switched camera). */
  async useTracks(stream) {
    this.#local = stream;
    for (const track of stream.getTracks()) {
      const transceiver = this.pc.getTransceivers().find((t) => t.receiver.track.kind === track.kind);
      if (!transceiver) continue;
      await transceiver.sender.replaceTrack(track);
      if (track.kind === 'video') {
        // The agent needs to read a label or see a loose thread: keep the detail, drop frames first.
        track.contentHint = 'detail';
        const parameters = transceiver.sender.getParameters();
        parameters.degradationPreference = 'maintain-resolution';
        try {
          await transceiver.sender.setParameters(parameters);
        } catch { /* older browsers: their default degradation */ }
      }
    }
  }

  /** The connection as the agent sees it: round trip, loss, the remote video's size and rate, TURN. */
  async quality() {
    const report = await this.pc.getStats();
    const figures = {};
    let pair = null;
    report.forEach((s) => {
      if (s.type === 'transport' && s.selectedCandidatePairId) pair = report.get(s.selectedCandidatePairId);
    });
    if (!pair) report.forEach((s) => { if (s.type === 'candidate-pair' && s.nominated && s.state === 'succeeded') pair = s; });
    if (pair) {
      if (pair.currentRoundTripTime != null) figures.rtt_ms = pair.currentRoundTripTime * 1000;
      const local = report.get(pair.localCandidateId);
      const remote = report.get(pair.remoteCandidateId);
      figures.relay = local?.candidateType === 'relay' || remote?.candidateType === 'relay';
    }
    let bytes = 0;
    report.forEach((s) => {
      if (s.type !== 'inbound-rtp') return;
      bytes += s.bytesReceived ?? 0;
      if (s.kind === 'video') {
        if (s.frameWidth) figures.width = s.frameWidth;
        if (s.frameHeight) figures.height = s.frameHeight;
        if (s.framesPerSecond != null) figures.fps = s.framesPerSecond;
        const lost = Math.max(0, s.packetsLost ?? 0);
        const total = lost + (s.packetsReceived ?? 0);
        if (total) figures.packet_loss_pct = (100 * lost) / total;
      }
    });
    const now = performance.now();
    if (this.#lastBytes) {
      const seconds = (now - this.#lastBytes.at) / 1000;
      if (seconds > 0) figures.bitrate_kbps = Math.max(0, (8 * (bytes - this.#lastBytes.bytes)) / 1000 / seconds);
    }
    this.#lastBytes = { bytes, at: now };
    for (const key of STATS_KEYS) {
      if (figures[key] != null) figures[key] = Math.round(figures[key] * 10) / 10;
    }
    return figures;
  }

  close() {
    this.pc.onicecandidate = this.pc.ontrack = this.pc.onconnectionstatechange = null;
    this.pc.close();
  }
}

/** Calls `callback(timestamp)` once, when the video element shows its first frame. */
export function onFirstFrame(video, callback) {
  if ('requestVideoFrameCallback' in video) {
    video.requestVideoFrameCallback(() => callback(performance.timeOrigin + performance.now()));
  } else {
    video.addEventListener('loadeddata', () => callback(performance.timeOrigin + performance.now()), { once: true });
  }
}

/** Open camera and/or microphone, falling back to what exists: {stream, missing: [...kinds], error}. */
export async function openDevices({ video, audio, facingMode = 'user' }) {
  const videoConstraints = video
    ? { facingMode, width: { ideal: 1280 }, height: { ideal: 720 }, frameRate: { ideal: 30 } }
    : false;
  try {
    return { stream: await navigator.mediaDevices.getUserMedia({ video: videoConstraints, audio }), missing: [] };
  } catch (error) {
    if (error.name === 'NotAllowedError' || error.name === 'SecurityError') return { stream: null, missing: [], error: 'denied' };
    // One of the two is missing (no webcam on a desktop, no microphone): go on with the other.
    if (video && audio) {
      for (const [missing, constraints] of [['audio', { video: videoConstraints }], ['video', { audio: true }]]) {
        try {
          return { stream: await navigator.mediaDevices.getUserMedia(constraints), missing: [missing] };
        } catch { /* try the other */ }
      }
    }
    return { stream: null, missing: ['audio', 'video'], error: 'none' };
  }
}
