// REST calls of the agent console. The session cookie authenticates; the X-Requested-With
// header is the desk's CSRF guard for mutating requests (sent on all of them, harmlessly).
import { request } from '../shared/http.js';

const HEADERS = { 'X-Requested-With': 'crossdesk' };

export class DeskApi {
  #base;

  /** @param {URL} base  the desk's base URL */
  constructor(base) {
    this.#base = base;
  }

  #call(path, options = {}) {
    const url = new URL(`api/v1/${path}`, this.#base).href;
    return request(url, { ...options, headers: HEADERS, credentials: 'same-origin' });
  }

  login(email, password) {
    return this.#call('auth/login', { method: 'POST', body: { email, password } });
  }

  logout() {
    return this.#call('auth/logout', { method: 'POST' });
  }

  me() {
    return this.#call('me');
  }

  agents() {
    return this.#call('agents');
  }

  /** @param {{status: string, assignee: "mine" | "unassigned" | "all"}} filter  (tab names) */
  conversations({ status, assignee, intent = '', sentiment = '', limit = 50, before = null }) {
    const query = new URLSearchParams({ status, assignee: assignee === 'mine' ? 'me' : assignee, limit: String(limit) });
    if (before) query.set('before', before);
    if (intent) query.set('intent', intent);
    if (sentiment) query.set('sentiment', sentiment);
    return this.#call(`conversations?${query}`);
  }

  conversation(id) {
    return this.#call(`conversations/${id}`);
  }

  /** One page of messages, ascending: after `afterSeq`, or (if given) before `beforeSeq`. */
  messages(id, { afterSeq = 0, beforeSeq = null, limit = 100 } = {}) {
    const query = new URLSearchParams({ limit: String(limit) });
    if (beforeSeq != null) query.set('before_seq', String(beforeSeq));
    else query.set('after_seq', String(afterSeq));
    return this.#call(`conversations/${id}/messages?${query}`);
  }

  assign(id, assigneeId) {
    return this.#call(`conversations/${id}/assign`, { method: 'POST', body: { assignee_id: assigneeId } });
  }

  setStatus(id, status) {
    return this.#call(`conversations/${id}/status`, { method: 'POST', body: { status } });
  }

  markRead(id, seq) {
    return this.#call(`conversations/${id}/read`, { method: 'POST', body: { seq } });
  }

  /** The buyer-language version of a draft (not stored). */
  previewTranslation(id, text) {
    return this.#call(`conversations/${id}/translation-preview`, { method: 'POST', body: { text } });
  }

  /** The buyer's orders with shipments and tracking events. */
  orders(id) {
    return this.#call(`conversations/${id}/orders`);
  }

  /** Refund, reship, coupon, address change or cancel; the desk checks the shop's policy. */
  orderAction(conversationId, orderId, body) {
    return this.#call(`conversations/${conversationId}/orders/${orderId}/actions`, { method: 'POST', body });
  }

  pendingActions() {
    return this.#call('actions?status=pending_approval');
  }

  decideAction(id, approve, note = '') {
    return this.#call(`actions/${id}/${approve ? 'approve' : 'reject'}`, { method: 'POST', body: { note } });
  }

  macros() {
    return this.#call('macros');
  }

  /** A macro's text with this conversation's order facts: {text, missing}. */
  renderMacro(conversationId, macroId) {
    return this.#call(`conversations/${conversationId}/macros/${macroId}`, { method: 'POST' });
  }

  /** A reply drafted from the playbook, in the agent's language. */
  suggestReply(id, { refuse = false } = {}) {
    return this.#call(`conversations/${id}/suggestion`, { method: 'POST', body: { refuse } });
  }

  /** The coach's flags on a draft. */
  /** The coach's flags on a draft and, given `translation` ({language, text}), on its buyer-language version. */
  checkDraft(id, text, translation = null) {
    return this.#call(`conversations/${id}/check`, { method: 'POST', body: { text, ...(translation ? { translation } : {}) } });
  }

  /** Fix the conversation's buyer language; null hands it back to detection. */
  setConversationLanguage(id, language) {
    return this.#call(`conversations/${id}/language`, { method: 'PUT', body: { language } });
  }

  setMyLanguage(language) {
    return this.#call('me', { method: 'PATCH', body: { language } });
  }

  /** STUN/TURN servers and short-lived TURN credentials for a call. */
  iceServers() {
    return this.#call('rtc/ice-servers');
  }

  /** Attach a frame of the buyer's video (a PNG blob) to the call's conversation. */
  callSnapshot(callId, blob) {
    const form = new FormData();
    form.append('file', blob, `call-${callId}.png`);
    return this.#call(`calls/${callId}/snapshots`, { method: 'POST', body: form });
  }

  /** Attach the call's recording (a WebM blob) to its conversation, for staff. */
  callRecording(callId, blob) {
    const form = new FormData();
    form.append('file', blob, `call-${callId}.webm`);
    return this.#call(`calls/${callId}/recording`, { method: 'POST', body: form });
  }

  uploadImage(file, conversationId) {
    const form = new FormData();
    form.append('file', file);
    form.append('conversation_id', String(conversationId));
    return this.#call('attachments', { method: 'POST', body: form });
  }
}
