// Typing indicators. Outgoing: announce at most every few seconds while keys are pressed and
// say "stopped" after 3 s of quiet. Incoming: expire on our own in case an "off" frame is lost.

const REPEAT_MS = 2500;
const IDLE_MS = 3000;
const REMOTE_EXPIRY_MS = 6000;

export class TypingSender {
  #send;
  #typing = false;
  #lastSentAt = 0;
  #idleTimer = 0;

  /** @param {(on: boolean) => void} send */
  constructor(send) {
    this.#send = send;
  }

  /** Call on every edit of the composer. */
  touch() {
    clearTimeout(this.#idleTimer);
    this.#idleTimer = setTimeout(() => this.stop(), IDLE_MS);
    const now = Date.now();
    if (!this.#typing || now - this.#lastSentAt >= REPEAT_MS) {
      this.#typing = true;
      this.#lastSentAt = now;
      this.#send(true);
    }
  }

  /** Call when the message is sent, the composer cleared, or the conversation changes. */
  stop() {
    clearTimeout(this.#idleTimer);
    if (!this.#typing) return;
    this.#typing = false;
    this.#send(false);
  }
}

/** Who is typing where, from `typing` frames. */
export class TypingWatcher {
  #onChange;
  #entries = new Map(); // "conversation:type:id" -> {conversationId, author, timer}

  /** @param {() => void} onChange */
  constructor(onChange) {
    this.#onChange = onChange;
  }

  apply({ conversation_id: conversationId, author, on }) {
    const key = `${conversationId}:${author?.type}:${author?.id}`;
    clearTimeout(this.#entries.get(key)?.timer);
    if (on) {
      const timer = setTimeout(() => this.#clear(key), REMOTE_EXPIRY_MS);
      this.#entries.set(key, { conversationId, author, timer });
    } else {
      this.#entries.delete(key);
    }
    this.#onChange();
  }

  /** Someone finished typing because their message arrived. */
  clearAuthor(conversationId, author) {
    this.#clear(`${conversationId}:${author?.type}:${author?.id}`);
  }

  authorsIn(conversationId) {
    return [...this.#entries.values()].filter((e) => e.conversationId === conversationId).map((e) => e.author);
  }

  #clear(key) {
    const entry = this.#entries.get(key);
    if (!entry) return;
    clearTimeout(entry.timer);
    this.#entries.delete(key);
    this.#onChange();
  }
}
