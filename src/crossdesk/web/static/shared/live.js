// The live connection shared by the buyer widget and the agent console: one reconnecting
// WebSocket to /ws plus a persistent outbox, so a message typed during a network blip is
// delivered exactly once (the server deduplicates on client_id) even across page reloads.
import { newClientId } from './ids.js';
import { store } from './storage.js';

const BACKOFF_BASE_MS = 500;
const BACKOFF_MAX_MS = 30_000;
const DEFAULT_HEARTBEAT_S = 20;

/**
 * Unacknowledged sends, persisted under one storage key. Every operation re-reads storage
 * so that two tabs sharing the key do not overwrite each other's entries.
 */
export class Outbox {
  constructor(key) {
    this.key = key;
  }

  list() {
    const entries = store.get(this.key, []);
    return Array.isArray(entries) ? entries : [];
  }

  put(entry) {
    this.#write([...this.list().filter((e) => e.client_id !== entry.client_id), entry]);
  }

  remove(clientId) {
    const entries = this.list();
    const kept = entries.filter((e) => e.client_id !== clientId);
    if (kept.length !== entries.length) this.#write(kept);
  }

  #write(entries) {
    if (entries.length) store.set(this.key, entries);
    else store.remove(this.key);
  }
}

/**
 * Events (CustomEvent, frame in `detail`): one per server frame type (`welcome`, `ready`,
 * `event`, `ack`, `typing`, `read`, `synced`, `error`) plus `status` with
 * `{state: "connecting" | "online" | "offline", reconnected}` and `closed` with `{code}`.
 */
export class LiveSocket extends EventTarget {
  #url;
  #helloFrame;
  #ws = null;
  #welcomed = false;
  #everWelcomed = false;
  #stopped = true;
  #attempt = 0;
  #retryTimer = 0;
  #watchdogTimer = 0;
  #heartbeatS = DEFAULT_HEARTBEAT_S;
  #onOnline = () => this.#reconnectNow();

  /**
   * @param {object} options
   * @param {string} options.url        ws(s) URL of /ws
   * @param {string} options.outboxKey  storage key for unacknowledged sends
   * @param {() => object} options.helloFrame  builds `hello` at each (re)connect, with fresh cursors
   */
  constructor({ url, outboxKey, helloFrame }) {
    super();
    this.#url = url;
    this.#helloFrame = helloFrame;
    this.outbox = new Outbox(outboxKey);
  }

  get online() {
    return this.#welcomed;
  }

  start() {
    if (!this.#stopped) return;
    this.#stopped = false;
    window.addEventListener('online', this.#onOnline);
    this.#connect();
  }

  stop() {
    this.#stopped = true;
    window.removeEventListener('online', this.#onOnline);
    clearTimeout(this.#retryTimer);
    this.#drop();
  }

  /** Send a frame if the connection is up; returns whether it went out. */
  send(frame) {
    if (!this.#welcomed || this.#ws?.readyState !== WebSocket.OPEN) return false;
    this.#ws.send(JSON.stringify(frame));
    return true;
  }

  /**
   * Queue a chat message. It stays in the outbox until its `ack` (or a rejecting `error`)
   * arrives and is re-sent with the same client_id after every reconnect.
   */
  sendMessage({ conversationId = null, body = '', attachmentId = null, translation = null }) {
    const entry = {
      client_id: newClientId(),
      conversation_id: conversationId,
      body,
      attachment_id: attachmentId,
      translation, // an agent's previewed buyer-language version, stored with the message
      queued_at: new Date().toISOString(),
    };
    this.outbox.put(entry);
    this.send(sendFrame(entry));
    return entry;
  }

  #connect() {
    clearTimeout(this.#retryTimer);
    this.#emit('status', { state: 'connecting', reconnected: false });
    let ws;
    try {
      ws = new WebSocket(this.#url);
    } catch {
      this.#scheduleReconnect();
      return;
    }
    this.#ws = ws;
    this.#armWatchdog(); // also bounds a connect that never opens
    ws.onopen = () => ws.send(JSON.stringify({ type: 'hello', ...this.#helloFrame() }));
    ws.onmessage = (event) => this.#onFrame(event.data);
    ws.onclose = (event) => {
      if (ws !== this.#ws) return;
      this.#drop();
      this.#emit('closed', { code: event.code, reason: event.reason });
      this.#scheduleReconnect();
    };
  }

  #onFrame(raw) {
    let frame;
    try {
      frame = JSON.parse(raw);
    } catch {
      return;
    }
    this.#armWatchdog();
    switch (frame.type) {
      case 'ping':
        this.#ws.send(JSON.stringify({ type: 'pong' }));
        return;
      case 'welcome': {
        this.#heartbeatS = frame.heartbeat_s || DEFAULT_HEARTBEAT_S;
        this.#armWatchdog();
        const reconnected = this.#everWelcomed;
        this.#welcomed = this.#everWelcomed = true;
        this.#attempt = 0;
        this.#emit('welcome', frame);
        this.#emit('status', { state: 'online', reconnected });
        for (const entry of this.outbox.list()) this.send(sendFrame(entry));
        return;
      }
      case 'ack':
        this.outbox.remove(frame.client_id);
        break;
      case 'error':
        // The server stored nothing for a rejected send; retrying it verbatim would fail again.
        if (frame.client_id) this.outbox.remove(frame.client_id);
        break;
    }
    this.#emit(frame.type, frame);
  }

  // Both a silent server and a half-open TCP connection look the same from here:
  // nothing arrives. Two missed heartbeats mean the connection is gone.
  #armWatchdog() {
    clearTimeout(this.#watchdogTimer);
    this.#watchdogTimer = setTimeout(() => {
      this.#drop();
      this.#scheduleReconnect();
    }, 2 * this.#heartbeatS * 1000);
  }

  #drop() {
    clearTimeout(this.#watchdogTimer);
    const ws = this.#ws;
    this.#ws = null;
    const wasOnline = this.#welcomed;
    this.#welcomed = false;
    if (ws) {
      ws.onopen = ws.onmessage = ws.onclose = null;
      try {
        ws.close();
      } catch { /* already closing */ }
    }
    if (wasOnline) this.#emit('status', { state: 'offline', reconnected: false });
  }

  #scheduleReconnect() {
    if (this.#stopped) return;
    clearTimeout(this.#retryTimer);
    // Full jitter: after a server restart, clients spread out instead of stampeding.
    const ceiling = Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** this.#attempt);
    this.#attempt += 1;
    this.#retryTimer = setTimeout(() => this.#connect(), ceiling / 2 + Math.random() * (ceiling / 2));
  }

  #reconnectNow() {
    if (this.#stopped || this.#welcomed) return;
    this.#attempt = 0;
    this.#drop();
    this.#connect();
  }

  #emit(type, detail) {
    this.dispatchEvent(new CustomEvent(type, { detail }));
  }
}

function sendFrame(entry) {
  const frame = { type: 'send', conversation_id: entry.conversation_id, client_id: entry.client_id, body: entry.body };
  if (entry.attachment_id != null) frame.attachment_id = entry.attachment_id;
  if (entry.translation) frame.translation = entry.translation;
  return frame;
}

/** ws(s) URL of the live endpoint for a desk base URL. */
export function liveUrl(base) {
  const url = new URL('ws', base);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  return url.href;
}
