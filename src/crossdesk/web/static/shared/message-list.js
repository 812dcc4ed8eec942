// Renders a Timeline into a scrolling list. Nodes are keyed by the timeline's stable keys and
// patched in place (sending → sent → seen), so images load once and the list never flickers.
// Message text only ever reaches the page as text nodes.
import { h, linkify, reconcile } from './dom.js';
import { formatDateTime, formatTime } from './format.js';

const NEAR_BOTTOM_PX = 120;

export class MessageList {
  #container;
  #scroller;
  #isOwn;
  #imageFor;
  #showOwnAuthor;
  #translationView;
  #callText;
  #nodes = new Map(); // key -> {node, signature, meta, text, extra, shown}
  #stuck = true; // the reader is at the newest message, so new content should keep them there

  /**
   * @param {object} options
   * @param {HTMLElement} options.container  element holding the message nodes (role="log")
   * @param {HTMLElement} options.scroller   its scrolling ancestor
   * @param {(message) => boolean} options.isOwn  right-aligned messages
   * @param {(message) => HTMLElement} options.imageFor  builds the <img> for an image message
   * @param {boolean} [options.showOwnAuthor]  name the author on own-side messages too (several agents)
   * @param {(message) => object|null} [options.translationView]  which translation to show and how:
   *   {mode: "beside" | "replace", language, status, body, review, label}. "beside" keeps the original
   *   and adds the translation under it (the agent's view); "replace" shows the translation with the
   *   original one tap away (the buyer's view).
   * @param {(message) => string} [options.callText]  the line a call's record reads as
   */
  constructor({
    container, scroller, isOwn, imageFor, showOwnAuthor = false, translationView = () => null,
    callText = (message) => message.body,
  }) {
    this.#callText = callText;
    this.#container = container;
    this.#scroller = scroller;
    this.#isOwn = isOwn;
    this.#imageFor = imageFor;
    this.#showOwnAuthor = showOwnAuthor;
    this.#translationView = translationView;
    scroller.addEventListener('scroll', () => { this.#stuck = this.#isNearBottom(); }, { passive: true });
    // Images get their height only once loaded ("load" does not bubble, hence capture).
    container.addEventListener('load', (event) => {
      if (event.target.tagName === 'IMG' && this.#stuck) this.scrollToBottom();
    }, true);
  }

  /** Forget every node, e.g. when another conversation is shown. */
  clear() {
    this.#stuck = true;
    this.#nodes.clear();
    this.#container.replaceChildren();
  }

  /**
   * @param {Array} items  Timeline.items()
   * @param {object} [options]
   * @param {number} [options.peerReadSeq]  the other side has read up to here: mark "Seen"
   */
  render(items, { peerReadSeq = 0 } = {}) {
    const stick = this.#stuck;
    const hadPending = [...this.#container.querySelectorAll('.msg--sending')].length;
    const lastSeenKey = this.#lastOwnKeyUpTo(items, peerReadSeq);
    const nodes = [];
    let previous = null;
    const live = new Set();
    for (const item of items) {
      const continued = isContinuation(previous?.message, item.message);
      const entry = this.#nodeFor(item);
      this.#patch(entry, item, { continued, seen: item.key === lastSeenKey });
      nodes.push(entry.node);
      live.add(item.key);
      previous = item;
    }
    for (const key of this.#nodes.keys()) if (!live.has(key)) this.#nodes.delete(key);
    reconcile(this.#container, nodes);
    const addedPending = this.#container.querySelectorAll('.msg--sending').length > hadPending;
    if (stick || addedPending) this.scrollToBottom();
  }

  scrollToBottom() {
    this.#scroller.scrollTop = this.#scroller.scrollHeight;
    this.#stuck = true;
  }

  /** Whether the newest message is on screen (for read receipts). */
  isNearBottom() {
    return this.#isNearBottom();
  }

  #isNearBottom() {
    const s = this.#scroller;
    return s.scrollHeight - s.scrollTop - s.clientHeight < NEAR_BOTTOM_PX;
  }

  #lastOwnKeyUpTo(items, seq) {
    let key = null;
    for (const item of items) {
      if (item.state === 'sent' && item.message.seq <= seq && this.#isOwn(item.message)) key = item.key;
    }
    return key;
  }

  #nodeFor(item) {
    let entry = this.#nodes.get(item.key);
    if (!entry) {
      entry = this.#build(item.message);
      this.#nodes.set(item.key, entry);
    }
    return entry;
  }

  #build(message) {
    const authorType = message.author?.type ?? 'system';
    if (message.kind === 'call') {
      const node = h('div', { class: 'msg msg--activity msg--call', 'data-testid': 'message', 'data-kind': 'call' },
        h('span', { class: 'msg__activity-text', 'data-testid': 'call-record' }, this.#callText(message)),
        h('time', { class: 'msg__activity-time', datetime: message.created_at }, formatTime(message.created_at)));
      return { node, signature: '', meta: null };
    }
    if (message.kind === 'activity' || authorType === 'system') {
      const node = h('div', { class: 'msg msg--activity', 'data-testid': 'message', 'data-author-type': authorType },
        h('span', { class: 'msg__activity-text' }, activityText(message)),
        h('time', { class: 'msg__activity-time', datetime: message.created_at }, formatTime(message.created_at)));
      return { node, signature: '', meta: null };
    }
    const own = this.#isOwn(message);
    const bubble = h('div', { class: 'msg__bubble' });
    if (message.attachment || message.preview_url) bubble.append(this.#imageFor(message));
    const text = message.body ? h('p', { class: 'msg__text', 'data-testid': 'message-text' }) : null;
    const extra = message.body ? h('div', { class: 'msg__translation-slot' }) : null;
    if (text) bubble.append(text, extra);
    const meta = h('div', { class: 'msg__meta' });
    const showAuthor = !own || this.#showOwnAuthor;
    const node = h('div', {
      class: `msg ${own ? 'msg--own' : 'msg--other'}`,
      'data-testid': 'message',
      'data-author-type': authorType,
    },
    showAuthor ? h('div', { class: 'msg__author' }, message.author?.name || defaultAuthor(authorType)) : null,
    bubble,
    meta);
    return { node, signature: '', meta, text, extra, shown: null, showOriginal: false };
  }

  /** The text and its translation, redrawn only when what is to be shown changed. */
  #renderText(entry, message) {
    if (!entry.text) return;
    const view = this.#translationView(message);
    const shown = JSON.stringify([message.body, view, entry.showOriginal]);
    if (shown === entry.shown) return;
    entry.shown = shown;
    const done = view?.status === 'done' && view.body;
    if (view?.mode === 'replace' && done) {
      // The buyer reads their language; the original is one tap away.
      entry.text.replaceChildren(...linkify(entry.showOriginal ? message.body : view.body));
      entry.text.lang = entry.showOriginal ? '' : view.language ?? '';
      const toggle = h('button', {
        type: 'button',
        class: 'msg__toggle',
        'data-testid': 'show-original',
        onclick: () => { entry.showOriginal = !entry.showOriginal; this.#renderText(entry, message); },
      }, entry.showOriginal ? view.showTranslationLabel ?? 'Show translation' : view.showOriginalLabel ?? 'Show original');
      entry.extra.replaceChildren(h('div', { class: 'msg__translated-note' },
        h('span', {}, view.label ?? 'Translated'), ' · ', toggle));
      return;
    }
    entry.text.replaceChildren(...linkify(message.body));
    if (!view || view.mode === 'replace') {
      const note = view?.status === 'pending' ? view.pendingLabel ?? 'Translating…' : null;
      entry.extra.replaceChildren(...(note ? [h('div', { class: 'msg__translated-note' }, note)] : []));
      return;
    }
    // "beside": the agent sees the original with the translation under it.
    const body = view.status === 'done'
      ? h('p', { class: 'msg__translation-text', lang: view.language ?? '' }, ...linkify(view.body ?? ''))
      : h('p', { class: 'msg__translation-text is-muted' }, view.status === 'pending' ? 'Translating…' : 'Translation unavailable');
    entry.extra.replaceChildren(h('div', {
      class: `msg__translation${view.review ? ' msg__translation--review' : ''}`,
      'data-testid': 'translation',
      'data-status': view.status,
      'data-review': view.review ? 'true' : 'false',
    },
    h('span', { class: 'msg__translation-label' }, view.label ?? ''),
    body,
    view.review ? h('span', { class: 'msg__review', title: (view.issues ?? []).join('; ') }, 'Machine translation, check before sending') : null));
  }

  #patch(entry, item, { continued, seen }) {
    const { message, state } = item;
    const signature = `${state}|${message.seq ?? ''}|${continued}|${seen}`;
    if (signature === entry.signature) {
      this.#renderText(entry, message); // a translation may have arrived
      return;
    }
    entry.signature = signature;
    const { node, meta } = entry;
    this.#renderText(entry, message);
    if (message.seq != null) node.dataset.seq = String(message.seq);
    node.classList.toggle('msg--sending', state === 'sending');
    node.classList.toggle('msg--continued', continued);
    if (!meta) return;
    const status = state === 'sending' ? 'Sending…' : seen ? 'Seen' : '';
    const time = h('time', { datetime: message.created_at ?? '', title: formatDateTime(message.created_at) },
      formatTime(message.created_at ?? new Date().toISOString()));
    meta.replaceChildren(time, ...(status ? [h('span', { class: 'msg__status' }, status)] : []));
  }
}

// Consecutive messages from the same author within a few minutes read as one group.
function isContinuation(previous, message) {
  if (!previous || ['activity', 'call'].includes(previous.kind) || ['activity', 'call'].includes(message.kind)) return false;
  if (previous.author?.type !== message.author?.type || previous.author?.id !== message.author?.id) return false;
  const gap = new Date(message.created_at ?? Date.now()) - new Date(previous.created_at ?? Date.now());
  return gap < 5 * 60_000;
}

function defaultAuthor(type) {
  return type === 'agent' ? 'Support' : type === 'contact' ? 'Customer' : '';
}

/** Human text for an activity item: the server's body if any, else built from meta. */
export function activityText(message) {
  if (message.body) return message.body;
  const meta = message.meta ?? {};
  const who = message.author?.name ? `${message.author.name} ` : '';
  if (meta.action === 'assigned') {
    return meta.assignee ? `${who}assigned this conversation to ${meta.assignee.name}` : `${who}unassigned this conversation`;
  }
  if (meta.action === 'status') return `${who}marked this conversation as ${meta.status}`;
  return 'Conversation updated';
}
