// REST calls the buyer's chat makes, authenticated with the visitor token (never a cookie:
// the frame lives inside someone else's site).
import { request } from '../shared/http.js';

export class VisitorApi {
  #base;
  token = null;

  /** @param {URL} base  the desk's base URL */
  constructor(base) {
    this.#base = base;
  }

  url(path) {
    return new URL(path.replace(/^\//, ''), this.#base).href;
  }

  #auth() {
    return this.token ? { Authorization: `Bearer ${this.token}` } : {};
  }

  /** Start or resume the buyer's session; keeps the returned token for later calls. */
  async startSession({ shop, token }) {
    const body = {
      shop,
      language: navigator.language,
      timezone: Intl.DateTimeFormat().resolvedOptions().timeZone,
    };
    if (token) body.token = token;
    const session = await request(this.url('/api/v1/widget/session'), { method: 'POST', body, credentials: 'omit' });
    this.token = session.token;
    return session;
  }

  /** Every message of a conversation after `afterSeq`, following `has_more` pages. */
  async messagesAfter(conversationId, afterSeq = 0) {
    const all = [];
    let cursor = afterSeq;
    for (;;) {
      const page = await request(
        this.url(`/api/v1/widget/conversations/${conversationId}/messages?after_seq=${cursor}`),
        { headers: this.#auth(), credentials: 'omit' },
      );
      all.push(...page.items);
      if (!page.has_more || !page.items.length) return all;
      cursor = page.items.at(-1).seq;
    }
  }

  /** The buyer's own order, given its number and the email it was placed with (404 otherwise). */
  lookupOrder(number, email) {
    return request(this.url('/api/v1/widget/orders/lookup'), {
      method: 'POST', body: { number, email }, headers: this.#auth(), credentials: 'omit',
    });
  }

  uploadImage(file, conversationId) {
    const form = new FormData();
    form.append('file', file);
    if (conversationId != null) form.append('conversation_id', String(conversationId));
    return request(this.url('/api/v1/attachments'), { method: 'POST', body: form, headers: this.#auth(), credentials: 'omit' });
  }

  /** STUN/TURN servers and short-lived TURN credentials for a call. */
  iceServers() {
    return request(this.url('/api/v1/rtc/ice-servers'), { headers: this.#auth(), credentials: 'omit' });
  }

  /** Attachment bytes; an <img> cannot send the bearer header itself. */
  imageBlob(attachmentUrl) {
    return request(this.url(attachmentUrl), { headers: this.#auth(), credentials: 'omit', as: 'blob' });
  }
}
