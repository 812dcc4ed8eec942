// The middle pane: conversation header with its actions, the message list, who is typing,
// and the composer. It reports intents through callbacks and never talks to the server.
import { Composer } from '../shared/composer.js';
import { callRecordText } from './call.js';
import { h } from '../shared/dom.js';
import { languageName } from '../shared/format.js';
import { uploadProblem } from '../shared/http.js';
import { MessageList } from '../shared/message-list.js';

export class ThreadView {
  #els;
  #conversation = null;
  #meId;
  #drafts = new Map(); // conversation id -> unsent text, kept while switching
  #errorTimer = 0;
  messages;
  composer;

  /**
   * @param {object} options
   * @param {HTMLElement} options.root
   * @param {number} options.meId
   * @param {() => string} options.myLanguage  the agent's working language (buyer messages show in it)
   * @param {object} options.on  callbacks: assign(agentId|null), status(status), send(text) → bool,
   *                             typing(), attach(file), loadEarlier(), draft(text)
   */
  constructor({ root, meId, myLanguage, on }) {
    this.#meId = meId;
    const $ = (selector) => root.querySelector(selector);
    this.#els = {
      root,
      empty: $('#thread-empty'),
      main: $('#thread-main'),
      name: $('#thread-name'),
      subtitle: $('#thread-subtitle'),
      status: $('[data-testid="status-badge"]'),
      assignMe: $('[data-testid="assign-me"]'),
      assignee: $('#assignee-select'),
      pending: $('#mark-pending'),
      resolve: $('[data-testid="resolve"]'),
      reopen: $('[data-testid="reopen"]'),
      earlier: $('#load-earlier'),
      typing: $('[data-testid="typing-indicator"]'),
      error: $('#thread-error'),
      attach: $('#thread-attach'),
      file: $('#thread-file'),
      preview: $('#translation-preview'),
      previewLabel: $('#translation-preview-label'),
      previewText: $('#translation-preview-text'),
      previewReview: $('#translation-preview-review'),
    };

    this.messages = new MessageList({
      container: $('#thread-messages'),
      scroller: $('#thread-scroll'),
      isOwn: (message) => message.author?.type === 'agent',
      showOwnAuthor: true, // several agents share a conversation
      imageFor: (message) => imageElement(message),
      translationView: (message) => agentView(message, myLanguage()),
      callText: callRecordText,
    });
    this.composer = new Composer({
      textarea: $('[data-testid="composer"]'),
      sendButton: $('[data-testid="send"]'),
      counter: $('#thread-counter'),
      onSubmit: (text) => on.send(text),
      onInput: () => {
        on.typing();
        on.draft(this.composer.value);
      },
      onCleared: () => on.draft(''),
      onTooLong: (length) => this.showError(`Too long to send: ${length.toLocaleString()} of 5,000 characters.`),
    });

    this.#els.assignMe.addEventListener('click', () => on.assign(this.#meId));
    this.#els.assignee.addEventListener('change', () => {
      const value = this.#els.assignee.value;
      on.assign(value ? Number(value) : null);
    });
    this.#els.pending.addEventListener('click', () => on.status('pending'));
    this.#els.resolve.addEventListener('click', () => on.status('resolved'));
    this.#els.reopen.addEventListener('click', () => on.status('open'));
    this.#els.earlier.addEventListener('click', () => on.loadEarlier());
    this.#els.attach.addEventListener('click', () => this.#els.file.click());
    this.#els.file.addEventListener('change', () => {
      const file = this.#els.file.files?.[0];
      this.#els.file.value = '';
      if (!file) return;
      const problem = uploadProblem(file);
      if (problem) this.showError(problem);
      else on.attach(file);
    });
  }

  get conversationId() {
    return this.#conversation?.id ?? null;
  }

  setAgents(agents) {
    this.#els.assignee.replaceChildren(
      h('option', { value: '' }, 'Unassigned'),
      ...agents.map((agent) => h('option', { value: agent.id }, agent.name)),
    );
    if (this.#conversation) this.update(this.#conversation);
  }

  /** Switch to another conversation (or to none). */
  show(conversation) {
    if (this.#conversation) this.#drafts.set(this.#conversation.id, this.composer.value);
    this.#conversation = conversation;
    this.messages.clear();
    this.hideError();
    this.setTyping([]);
    this.#els.empty.hidden = Boolean(conversation);
    this.#els.main.hidden = !conversation;
    if (!conversation) return;
    this.composer.value = this.#drafts.get(conversation.id) ?? '';
    this.update(conversation);
    this.composer.focus();
  }

  /** The open conversation's snapshot changed (status, assignee, contact…). */
  update(conversation) {
    this.#conversation = conversation;
    const { status, assignee, contact } = conversation;
    this.#els.name.textContent = contact?.name || 'Visitor';
    this.#els.subtitle.textContent = assignee ? `Assigned to ${assignee.id === this.#meId ? 'you' : assignee.name}` : 'Unassigned';
    this.#els.status.textContent = status; // the raw value; CSS capitalises it
    this.#els.status.dataset.status = status;
    this.#els.assignMe.hidden = assignee?.id === this.#meId;
    this.#els.assignee.value = assignee ? String(assignee.id) : '';
    this.#els.pending.hidden = status !== 'open';
    this.#els.resolve.hidden = status === 'resolved';
    this.#els.reopen.hidden = status !== 'resolved';
  }

  renderMessages(timeline, { peerReadSeq = 0 } = {}) {
    this.messages.render(timeline.items(), { peerReadSeq });
    this.#els.earlier.hidden = !(timeline.firstSeq > 1);
  }

  /**
   * What the buyer will read, under the composer: null hides it; {pending} says it is being made;
   * otherwise a preview answer from the server.
   */
  showPreview(preview) {
    const { preview: box, previewLabel, previewText, previewReview } = this.#els;
    box.hidden = !preview;
    if (!preview) return;
    const language = preview.target_language;
    previewLabel.textContent = `Buyer reads (${language ? languageName(language) : '?'})`;
    box.dataset.state = preview.pending ? 'pending' : 'ready';
    previewText.textContent = preview.pending ? 'Translating…' : preview.translation ?? '';
    previewText.lang = language ?? '';
    previewReview.hidden = preview.pending || !preview.review;
    previewReview.title = (preview.issues ?? []).join('; ');
  }

  /** Keep the viewport on the same message while older ones are inserted above it. */
  async keepScrollWhile(work) {
    const scroller = this.#els.root.querySelector('#thread-scroll');
    const fromBottom = scroller.scrollHeight - scroller.scrollTop;
    await work();
    scroller.scrollTop = scroller.scrollHeight - fromBottom;
  }

  setTyping(authors) {
    this.#els.typing.hidden = authors.length === 0;
    const names = authors.map((author) => author.name || (author.type === 'contact' ? 'Customer' : 'An agent'));
    this.#els.typing.querySelector('.typing__text').textContent =
      names.length > 1 ? `${names.join(' and ')} are typing…` : `${names[0] ?? ''} is typing…`;
  }

  setBusy(busy) {
    for (const el of [this.#els.assignMe, this.#els.assignee, this.#els.pending, this.#els.resolve, this.#els.reopen]) {
      el.disabled = busy;
    }
  }

  setUploading(uploading) {
    this.#els.attach.disabled = uploading;
    this.#els.attach.classList.toggle('is-busy', uploading);
  }

  showError(text) {
    clearTimeout(this.#errorTimer);
    this.#els.error.querySelector('.thread__error-text').textContent = text;
    this.#els.error.hidden = false;
    this.#errorTimer = setTimeout(() => this.hideError(), 8000);
  }

  hideError() {
    this.#els.error.hidden = true;
  }
}

// Same-origin attachment URLs authenticate with the session cookie, so a plain <img> works.
function imageElement(message) {
  const { attachment } = message;
  if (attachment?.content_type?.startsWith('video/')) {
    return h('video', { class: 'msg__recording', controls: '', preload: 'metadata', src: attachment.url, 'data-testid': 'recording-player' });
  }
  const img = h('img', {
    class: 'msg__image',
    alt: 'Image',
    width: attachment?.width,
    height: attachment?.height,
    src: message.preview_url ?? attachment?.url,
  });
  if (!attachment?.url) return img;
  return h('a', { href: attachment.url, target: '_blank', rel: 'noopener', class: 'msg__image-link' }, img);
}

/**
 * How the agent sees a message's translations: a buyer's message in the agent's language under the
 * original; an agent's message with what the buyer reads under it.
 */
function agentView(message, myLanguage) {
  const translations = message.translations ?? {};
  if (message.author?.type === 'contact') {
    const translation = translations[myLanguage];
    if (!translation) return null;
    const from = message.language ? languageName(message.language) : 'the buyer\'s language';
    return { mode: 'beside', language: myLanguage, ...translation, label: `Translated from ${from}` };
  }
  const [language, translation] = Object.entries(translations)[0] ?? [];
  if (!translation) return null;
  return { mode: 'beside', language, ...translation, label: `Buyer reads (${languageName(language)})` };
}
