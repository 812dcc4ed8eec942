// One conversation's messages as this client knows them: confirmed messages keyed by seq
// (the server's order, no duplicates) followed by local sends still waiting for their ack.
//
// Each item carries a stable `key`, kept when a pending send is confirmed, so a view can
// update the same DOM node in place instead of flashing a replacement.

/** @typedef {{key: string, state: "sending" | "sent", message: object}} TimelineItem */

export class Timeline {
  #bySeq = new Map();
  #pending = new Map(); // client_id -> item
  #keyByClientId = new Map(); // client_id -> key of a send we made, to re-use on confirmation

  /** Highest seq held (0 when empty). */
  get lastSeq() {
    let max = 0;
    for (const seq of this.#bySeq.keys()) if (seq > max) max = seq;
    return max;
  }

  get firstSeq() {
    let min = Infinity;
    for (const seq of this.#bySeq.keys()) if (seq < min) min = seq;
    return min === Infinity ? 0 : min;
  }

  get size() {
    return this.#bySeq.size + this.#pending.size;
  }

  has(seq) {
    return this.#bySeq.has(seq);
  }

  /** Show a message we are sending before the server knows about it. */
  addPending(message) {
    const key = `c:${message.client_id}`;
    const item = { key, state: 'sending', message };
    this.#pending.set(message.client_id, item);
    this.#keyByClientId.set(message.client_id, key);
    return item;
  }

  /** Our send was stored with this seq. Returns whether anything changed. */
  acknowledge({ client_id: clientId, seq, message_id: messageId }) {
    const item = this.#pending.get(clientId);
    if (!item) return false;
    this.#pending.delete(clientId);
    if (this.#bySeq.has(seq)) return true; // message.created beat the ack
    this.#bySeq.set(seq, {
      key: item.key,
      state: 'sent',
      provisional: true, // until the server's own copy arrives via message.created
      message: { ...item.message, id: messageId, seq },
    });
    return true;
  }

  /** The server rejected a send: forget it and hand it back (e.g. to restore the text). */
  reject(clientId) {
    const item = this.#pending.get(clientId);
    this.#pending.delete(clientId);
    this.#keyByClientId.delete(clientId);
    return item?.message ?? null;
  }

  /**
   * A message from the server. Seqs already held are dropped, except that the server's copy
   * replaces the provisional one built from our own ack (it has the real author, attachment…).
   * Returns whether the timeline changed.
   */
  add(message) {
    const existing = this.#bySeq.get(message.seq);
    if (existing && !existing.provisional) {
      // A refetched copy may carry translations that finished while we were away.
      const fresh = JSON.stringify(message.translations ?? {});
      if (fresh === JSON.stringify(existing.message.translations ?? {})) return false;
      existing.message = { ...existing.message, translations: message.translations };
      return true;
    }
    const ownKey = message.client_id && this.#keyByClientId.get(message.client_id);
    if (ownKey) this.#pending.delete(message.client_id);
    const key = existing?.key ?? ownKey ?? `s:${message.seq}`;
    // Keep a local preview (blob URL) of an image we sent so it does not flicker.
    const preview = existing?.message.preview_url;
    this.#bySeq.set(message.seq, { key, state: 'sent', message: preview ? { ...message, preview_url: preview } : message });
    return true;
  }

  /** A `message.translated` event: one translation of a message we hold finished (or failed). */
  applyTranslation({ seq, message_id: messageId, language, translation }) {
    const item = this.#bySeq.get(seq);
    if (!item || (item.message.id != null && item.message.id !== messageId)) return false;
    const translations = { ...(item.message.translations ?? {}), [language]: translation };
    item.message = { ...item.message, translations };
    return true;
  }

  /** Confirmed messages by seq, then pending sends in the order they were made. */
  items() {
    const confirmed = [...this.#bySeq.entries()].sort((a, b) => a[0] - b[0]).map(([, item]) => item);
    return [...confirmed, ...this.#pending.values()];
  }
}
