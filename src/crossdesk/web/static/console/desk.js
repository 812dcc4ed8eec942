// The signed-in console: owns the store, the three panes and the live socket, and applies
// every change (REST answers and live events alike) to all of them.
import { languageName } from '../shared/format.js';
import { ApiError } from '../shared/http.js';
import { LiveSocket, Outbox, liveUrl } from '../shared/live.js';
import { TypingSender, TypingWatcher } from '../shared/typing.js';
import { CallView } from './call.js';
import { CoachView } from './coach.js';
import { CustomerView } from './customer.js';
import { ApprovalsView } from './approvals.js';
import { OrdersView } from './orders.js';
import { InboxView } from './inbox.js';
import { ConversationStore } from './store.js';
import { ThreadView } from './thread.js';

const PAGE_SIZE = 50;
const MESSAGE_PAGE = 100;
const PREVIEW_DELAY_MS = 600; // after the agent pauses typing
const CHECK_DELAY_MS = 400; // the coach's check is cheap: answer sooner than the translation

export class Desk {
  #api;
  #base;
  #me;
  #onSignedOut;
  #store = new ConversationStore();
  #inbox;
  #thread;
  #customer;
  #live;
  #openId = null;
  #nextCursor = null;
  #inboxRequest = 0;
  #countsTimer = 0;
  #minuteTimer = 0;
  #fetching = new Set();
  #typingOut;
  #typingIn;
  #previewTimer = 0;
  #preview = null; // {conversationId, text, answer}: the last translation preview of the draft
  #coach;
  #orders;
  #approvals;
  #features;
  #calls;
  #checkTimer = 0;
  #checked = null; // {conversationId, text}: the draft the shown flags belong to

  /**
   * @param {object} options
   * @param {import('./api.js').DeskApi} options.api
   * @param {URL} options.base
   * @param {object} options.me  the signed-in agent
   * @param {{coach?: boolean, translation?: boolean}} [options.features]  what this desk runs
   * @param {() => void} options.onSignedOut  the session is gone: show the login again
   */
  constructor({ api, base, me, features = {}, onSignedOut }) {
    this.#api = api;
    this.#base = base;
    this.#me = me;
    this.#onSignedOut = onSignedOut;
    this.#features = features;

    this.#inbox = new InboxView({
      root: document.getElementById('inbox'),
      store: this.#store,
      meId: me.id,
      onOpen: (id) => this.open(id),
      onFilterChange: () => this.loadInbox(),
      onLoadMore: () => this.loadInbox({ append: true }),
    });
    this.#thread = new ThreadView({
      root: document.getElementById('thread'),
      meId: me.id,
      myLanguage: () => this.#me.language,
      on: {
        assign: (agentId) => this.#mutate((id) => this.#api.assign(id, agentId)),
        status: (status) => this.#mutate((id) => this.#api.setStatus(id, status)),
        send: (text) => this.#send({ body: text }),
        typing: () => this.#typingOut.touch(),
        attach: (file) => this.#attach(file),
        loadEarlier: () => this.#loadEarlier(),
        draft: (text) => this.#draftChanged(text),
      },
    });
    this.#orders = new OrdersView(document.getElementById('customer'), (orderId, body) => this.#orderAction(orderId, body));
    this.#approvals = new ApprovalsView(document.querySelector('[data-testid="approvals"]'), (id, approve) => this.#decide(id, approve));
    this.#coach = new CoachView(document.getElementById('thread'), { suggest: (options) => this.#suggest(options) });
    this.#customer = new CustomerView(document.getElementById('customer'), {
      language: (code) => this.#mutate((id) => this.#api.setConversationLanguage(id, code)),
    });
    this.#typingOut = new TypingSender((on) => {
      if (this.#openId) this.#live.send({ type: 'typing', conversation_id: this.#openId, on });
    });
    this.#typingIn = new TypingWatcher(() => this.#renderTyping());
    this.#live = new LiveSocket({
      url: liveUrl(base),
      outboxKey: `crossdesk.outbox.console.${me.id}`, // per agent: never send as someone else
      helloFrame: () => ({ cursors: this.#store.cursors() }),
    });
    this.#calls = new CallView(document.querySelector('[data-testid="call-panel"]'), { live: this.#live, api });
    for (const media of ['video', 'voice']) {
      document.querySelector(`[data-testid="call-${media}"]`).addEventListener('click', () => {
        if (this.#openId) this.#calls.start(this.#openId, media === 'voice' ? 'audio' : 'video');
      });
    }
  }

  async start() {
    this.#setUpMyLanguage();
    this.#restoreOutbox();
    this.#listen();
    this.#live.start();
    this.#minuteTimer = setInterval(() => this.#inbox.render(), 60_000); // relative times
    document.addEventListener('visibilitychange', this.#onVisibility);
    this.#api.agents().then(({ items }) => this.#thread.setAgents(items), (error) => this.#handleError(error));
    await this.loadInbox();
    this.#loadApprovals();
    this.#setUpMacros();
    const fromUrl = Number(new URLSearchParams(location.hash.slice(1)).get('c'));
    if (fromUrl) this.open(fromUrl);
  }

  stop() {
    this.#live.stop();
    clearInterval(this.#minuteTimer);
    clearTimeout(this.#countsTimer);
    document.removeEventListener('visibilitychange', this.#onVisibility);
  }

  // ---- inbox ----------------------------------------------------------------------------------

  async loadInbox({ append = false } = {}) {
    const request = ++this.#inboxRequest; // a newer filter click wins over a slow older answer
    const { tab, status, intent, sentiment } = this.#inbox.filter;
    try {
      const page = await this.#api.conversations({
        status, assignee: tab, intent, sentiment, limit: PAGE_SIZE, before: append ? this.#nextCursor : null,
      });
      if (request !== this.#inboxRequest) return;
      for (const conversation of page.items) this.#store.put(conversation);
      this.#nextCursor = page.next;
      this.#inbox.setPage(page.items, { append, hasMore: Boolean(page.next) });
      this.#inbox.setCounts(page.counts);
    } catch (error) {
      this.#handleError(error);
    }
  }

  // Counts depend on every conversation of the shop; re-ask rather than guess, at most every 1.5 s.
  #refreshCountsSoon() {
    clearTimeout(this.#countsTimer);
    this.#countsTimer = setTimeout(async () => {
      const { tab, status } = this.#inbox.filter;
      try {
        const page = await this.#api.conversations({ status, assignee: tab, limit: 1 });
        this.#inbox.setCounts(page.counts);
      } catch (error) {
        this.#handleError(error);
      }
    }, 1500);
  }

  // ---- the open conversation ---------------------------------------------------------------------

  async open(id) {
    if (id === this.#openId) return;
    this.#typingOut.stop();
    this.#draftChanged('');
    this.#openId = id;
    history.replaceState(null, '', `#c=${id}`);
    this.#inbox.select(id);
    const known = this.#store.get(id);
    this.#thread.show(known);
    this.#customer.show(known);
    this.#coach.showInsight(known?.insight ?? null);
    this.#orders.show(null);
    try {
      const conversation = await this.#api.conversation(id);
      if (this.#openId !== id) return;
      this.#store.put(conversation);
      const fresh = this.#store.get(id);
      if (!known) this.#thread.show(fresh);
      else this.#thread.update(fresh);
      this.#customer.show(fresh);
      this.#coach.showInsight(fresh.insight ?? null);
      this.#loadOrders(fresh);
      await this.#loadLatestMessages(fresh);
    } catch (error) {
      this.#handleError(error);
    }
  }

  // ---- orders and actions ---------------------------------------------------------------------------

  async #orderAction(orderId, body) {
    const id = this.#openId;
    const action = await this.#api.orderAction(id, orderId, body); // errors go back to the form
    const open = this.#store.get(id);
    if (open) this.#loadOrders(open);
    return action;
  }

  #onOrderAction(action) {
    this.#orders.noteAction(action);
    const open = this.#openId && this.#store.get(this.#openId);
    if (open && action.conversation_id === open.id) this.#loadOrders(open);
    this.#loadApprovals();
  }

  async #loadApprovals() {
    if (this.#me.role !== 'admin') return; // only a lead decides
    try {
      this.#approvals.show((await this.#api.pendingActions()).items);
    } catch (error) {
      this.#handleError(error);
    }
  }

  async #decide(id, approve) {
    try {
      await this.#api.decideAction(id, approve);
    } catch (error) {
      this.#handleError(error);
    }
    this.#loadApprovals();
  }

  async #loadOrders(conversation) {
    try {
      const { items, summary } = await this.#api.orders(conversation.id);
      if (this.#openId === conversation.id) {
        this.#orders.show(items, { buyerZone: conversation.contact?.timezone, summary });
      }
    } catch (error) {
      this.#handleError(error);
    }
  }

  async #loadLatestMessages(conversation) {
    const timeline = this.#store.openTimeline(conversation.id);
    // Always take the latest page: the timeline may hold only what arrived live (say, a reply sent while
    // the conversation was opening), and its newest seq says nothing about the history before it.
    const page = await this.#api.messages(conversation.id, {
      beforeSeq: conversation.last_seq + 1,
      limit: MESSAGE_PAGE,
    });
    for (const message of page.items) timeline.add(message);
    // Anything newer arrives live; ask for a replay in case it raced with this fetch.
    this.#live.send({ type: 'sync', conversation_id: conversation.id, after_seq: timeline.lastSeq });
    if (this.#openId !== conversation.id) return;
    this.#renderThread();
    this.#thread.messages.scrollToBottom();
    this.#markRead();
  }

  async #loadEarlier() {
    const id = this.#openId;
    const timeline = this.#store.timeline(id);
    if (!timeline) return;
    try {
      await this.#thread.keepScrollWhile(async () => {
        const page = await this.#api.messages(id, { beforeSeq: timeline.firstSeq, limit: MESSAGE_PAGE });
        for (const message of page.items) timeline.add(message);
        if (this.#openId === id) this.#renderThread();
      });
    } catch (error) {
      this.#handleError(error);
    }
  }

  /** Run an action on the open conversation and show its answer everywhere. */
  async #mutate(action) {
    const id = this.#openId;
    this.#thread.setBusy(true);
    try {
      this.#applyConversation(await action(id));
    } catch (error) {
      this.#handleError(error);
      this.#thread.update(this.#store.get(id)); // undo an optimistic <select> change
    } finally {
      this.#thread.setBusy(false);
    }
  }

  #send({ body = '', attachmentId = null, attachment = null, previewUrl = null }) {
    const id = this.#openId;
    if (!id) return false;
    const translation = body ? this.#previewFor(id, body) : null;
    const entry = this.#live.sendMessage({ conversationId: id, body, attachmentId, translation });
    if (body) this.#draftChanged('');
    this.#store.openTimeline(id).addPending({ ...this.#pendingMessage(entry), attachment, preview_url: previewUrl });
    this.#typingOut.stop();
    this.#renderThread();
    return true;
  }

  async #attach(file) {
    const id = this.#openId;
    this.#thread.setUploading(true);
    try {
      const attachment = await this.#api.uploadImage(file, id);
      if (this.#openId === id) this.#send({ attachmentId: attachment.id, attachment, previewUrl: URL.createObjectURL(file) });
    } catch (error) {
      this.#handleError(error);
    } finally {
      this.#thread.setUploading(false);
    }
  }

  #pendingMessage(entry) {
    return {
      client_id: entry.client_id,
      conversation_id: entry.conversation_id,
      kind: entry.attachment_id ? 'image' : 'text',
      author: { type: 'agent', id: this.#me.id, name: this.#me.name },
      body: entry.body,
      attachment: null,
      translations: entry.translation
        ? { [entry.translation.language]: { status: 'done', ...entry.translation } }
        : {},
      created_at: entry.queued_at,
    };
  }

  // ---- translation of the agent's draft ------------------------------------------------------------

  /** The agent edited the draft: preview what the buyer will read once they pause. */
  #draftChanged(text) {
    this.#scheduleCheck(text);
    clearTimeout(this.#previewTimer);
    const id = this.#openId;
    const draft = text.trim();
    if (!draft || !id) {
      this.#preview = null;
      this.#thread.showPreview(null);
      return;
    }
    if (this.#preview?.text === draft || !this.#features.translation) return;
    this.#previewTimer = setTimeout(async () => {
      // Say at once that a translation is coming: the model may take seconds.
      const target = this.#store.get(id)?.language;
      if (target) this.#thread.showPreview({ pending: true, target_language: target });
      try {
        const answer = await this.#api.previewTranslation(id, draft);
        if (this.#openId !== id || this.#thread.composer.value.trim() !== draft) return; // stale
        this.#preview = { conversationId: id, text: draft, answer };
        this.#thread.showPreview(answer.needed && answer.translation ? answer : null);
        if (answer.needed && answer.translation) this.#scheduleCheck(draft); // now with what the buyer reads
      } catch (error) {
        this.#handleError(error);
      }
    }, PREVIEW_DELAY_MS);
  }

  // ---- the coach ------------------------------------------------------------------------------------

  /** Check the draft once the agent pauses; flags for an older text are never shown. */
  #scheduleCheck(text) {
    clearTimeout(this.#checkTimer);
    const id = this.#openId;
    const draft = text.trim();
    if (!draft || !id || !this.#features.coach) {
      this.#checked = null;
      this.#coach.showFlags([], 'idle');
      return;
    }
    // The buyer-language version is checked too, once its preview is here (exactly this draft's).
    const preview = this.#preview?.conversationId === id && this.#preview.text === draft ? this.#preview.answer : null;
    const translation = preview?.needed && preview.translation
      ? { language: preview.target_language, text: preview.translation }
      : null;
    if (this.#checked?.conversationId === id && this.#checked.text === draft && this.#checked.withTranslation === Boolean(translation)) return;
    this.#coach.markChecking();
    this.#checkTimer = setTimeout(async () => {
      try {
        const { flags } = await this.#api.checkDraft(id, draft, translation);
        if (this.#openId !== id || this.#thread.composer.value.trim() !== draft) return; // stale
        this.#checked = { conversationId: id, text: draft, withTranslation: Boolean(translation) };
        this.#coach.showFlags(flags);
      } catch (error) {
        this.#handleError(error);
      }
    }, CHECK_DELAY_MS);
  }

  #recheck() {
    this.#checked = null;
    this.#scheduleCheck(this.#thread.composer.value);
  }

  async #setUpMacros() {
    const picker = document.getElementById('macro-picker');
    try {
      const { items } = await this.#api.macros();
      for (const macro of items) picker.append(new Option(macro.name, String(macro.id)));
    } catch (error) {
      this.#handleError(error);
    }
    picker.addEventListener('change', async () => {
      const macroId = picker.value;
      picker.value = '';
      const id = this.#openId;
      if (!macroId || !id) return;
      if (this.#thread.composer.value.trim() && !window.confirm('Replace your draft with this macro?')) return;
      try {
        const { text } = await this.#api.renderMacro(id, macroId);
        if (this.#openId !== id) return;
        this.#thread.composer.value = text;
        this.#thread.composer.focus();
        this.#draftChanged(text);
      } catch (error) {
        this.#handleError(error);
      }
    });
  }

  /** Put a playbook reply (or, with `refuse`, its warm refusal) in the composer, replacing a draft only if
   * the agent agrees. */
  async #suggest({ refuse = false } = {}) {
    const id = this.#openId;
    if (!id) return;
    const current = this.#thread.composer.value.trim();
    if (current && !window.confirm('Replace your draft with a suggested reply?')) return;
    this.#coach.setSuggesting(true);
    try {
      const draft = await this.#api.suggestReply(id, { refuse });
      if (this.#openId !== id) return;
      this.#thread.composer.value = draft.text;
      this.#thread.composer.focus();
      this.#draftChanged(draft.text);
    } catch (error) {
      this.#handleError(error);
    } finally {
      this.#coach.setSuggesting(false);
    }
  }

  /** The previewed translation of exactly this text, to send along so the buyer reads what we saw. */
  #previewFor(id, body) {
    const preview = this.#preview;
    if (!preview || preview.conversationId !== id || preview.text !== body.trim()) return null;
    const { answer } = preview;
    if (!answer.needed || !answer.translation) return null;
    return {
      language: answer.target_language,
      body: answer.translation,
      engine: answer.engine,
      review: answer.review,
      issues: answer.issues ?? [],
    };
  }

  #setUpMyLanguage() {
    const select = document.getElementById('my-language');
    for (const option of select.options) option.textContent = languageName(option.value);
    select.value = this.#me.language ?? '';
    select.addEventListener('change', async () => {
      try {
        this.#me = await this.#api.setMyLanguage(select.value);
        this.#renderThread();
      } catch (error) {
        select.value = this.#me.language ?? '';
        this.#handleError(error);
      }
    });
  }

  /** Sends left over from before a reload show as "sending" until the socket resends them. */
  #restoreOutbox() {
    const outbox = new Outbox(`crossdesk.outbox.console.${this.#me.id}`);
    for (const entry of outbox.list()) {
      if (entry.conversation_id == null) continue;
      const attachment = entry.attachment_id
        ? { id: entry.attachment_id, url: `/api/v1/attachments/${entry.attachment_id}` }
        : null;
      this.#store.openTimeline(entry.conversation_id).addPending({ ...this.#pendingMessage(entry), attachment });
    }
  }

  #isWatching(id) {
    return id === this.#openId && document.visibilityState === 'visible';
  }

  /** Tell everyone (the server, other tabs, other agents' unread counts) we have seen it all. */
  #markRead() {
    const id = this.#openId;
    const timeline = id && this.#store.timeline(id);
    if (!timeline || !this.#isWatching(id)) return;
    const seq = Math.max(timeline.lastSeq, this.#store.get(id)?.last_seq ?? 0);
    if (!seq) return;
    if (!this.#live.send({ type: 'read', conversation_id: id, seq })) {
      this.#api.markRead(id, seq).catch((error) => this.#handleError(error));
    }
    this.#store.clearUnread(id);
    this.#inbox.render();
  }

  #onVisibility = () => this.#markRead();

  // ---- live events ------------------------------------------------------------------------------

  #listen() {
    const on = (type, handler) => this.#live.addEventListener(type, (event) => handler(event.detail));
    on('event', (frame) => {
      if (frame.event === 'message.created') this.#onMessage(frame.data);
      else if (frame.event === 'conversation.updated') this.#applyConversation(frame.data, { live: true });
      else if (frame.event === 'message.translated') this.#onTranslated(frame.conversation_id, frame.data);
      else if (frame.event === 'conversation.insight') this.#onInsight(frame.data);
      else if (frame.event === 'order.action') this.#onOrderAction(frame.data);
    });
    on('ack', (ack) => {
      const timeline = this.#store.timeline(ack.conversation_id);
      if (timeline?.acknowledge(ack) && ack.conversation_id === this.#openId) this.#renderThread();
    });
    on('error', (frame) => this.#onErrorFrame(frame));
    on('typing', (frame) => {
      if (frame.author?.type === 'agent' && frame.author.id === this.#me.id) return; // my other tab
      this.#typingIn.apply(frame);
    });
    on('read', (frame) => this.#onRead(frame));
    on('status', ({ state, reconnected }) => {
      document.body.dataset.connection = state;
      // Updates to conversations outside our cursors were missed while offline, and so were
      // translations finished meanwhile: refetch the open conversation's latest page too.
      if (state === 'online' && reconnected) {
        this.loadInbox();
        const open = this.#openId && this.#store.get(this.#openId);
        if (open) this.#loadLatestMessages(open).catch((error) => this.#handleError(error));
      }
    });
    on('closed', () => this.#checkSession());
  }

  #onMessage(message) {
    const id = message.conversation_id;
    const timeline = this.#store.timeline(id);
    if (timeline) {
      // The server never skips a seq on one connection; a jump means we missed some: replay.
      if (timeline.lastSeq && message.seq > timeline.lastSeq + 1) {
        this.#live.send({ type: 'sync', conversation_id: id, after_seq: timeline.lastSeq });
      }
      if (timeline.add(message) && id === this.#openId) this.#renderThread();
    }
    this.#typingIn.clearAuthor(id, message.author);
    if (!this.#store.get(id)) {
      this.#fetchConversation(id); // a brand-new conversation: fetch its snapshot
      return;
    }
    this.#store.noteMessage(message, { countsAsUnread: !this.#isWatching(id) });
    if (this.#isWatching(id)) this.#markRead();
    this.#inbox.consider(id);
    this.#inbox.render();
  }

  #onInsight({ conversation_id: id, insight }) {
    if (!this.#store.setInsight(id, insight)) return;
    this.#inbox.consider(id);
    this.#inbox.render();
    if (id === this.#openId) {
      this.#coach.showInsight(insight);
      this.#recheck(); // the buyer's mood or question changed: the draft's flags may too
    }
  }

  #onTranslated(conversationId, data) {
    const timeline = this.#store.timeline(conversationId);
    if (timeline?.applyTranslation(data) && conversationId === this.#openId) this.#renderThread();
  }

  /** A snapshot from the server (live or as a REST answer): newer last_seq wins. */
  #applyConversation(conversation, { live = false } = {}) {
    if (!this.#store.put(conversation, { ownUnread: !live })) return;
    if (this.#isWatching(conversation.id)) this.#store.clearUnread(conversation.id);
    const fresh = this.#store.get(conversation.id);
    this.#inbox.consider(conversation.id);
    this.#inbox.render();
    this.#refreshCountsSoon();
    if (conversation.id === this.#openId) {
      this.#thread.update(fresh);
      this.#customer.show(fresh);
      this.#coach.showInsight(fresh.insight ?? null);
    }
  }

  async #fetchConversation(id) {
    if (this.#fetching.has(id)) return;
    this.#fetching.add(id);
    try {
      this.#applyConversation(await this.#api.conversation(id));
    } catch (error) {
      this.#handleError(error);
    } finally {
      this.#fetching.delete(id);
    }
  }

  #onRead({ conversation_id: id, reader, seq }) {
    if (reader?.type === 'contact') {
      this.#store.noteContactRead(id, seq);
      if (id === this.#openId) this.#renderThread();
    } else if (reader?.type === 'agent' && reader.id === this.#me.id && seq >= (this.#store.get(id)?.last_seq ?? 0)) {
      this.#store.clearUnread(id); // read in another tab of mine
      this.#inbox.render();
    }
  }

  #onErrorFrame({ code, detail, client_id: clientId }) {
    // A refused send was not stored: take its bubble away and give the text back.
    const refused = clientId ? this.#store.rejectSend(clientId) : null;
    if (refused?.conversationId === this.#openId) {
      if (refused.message.body) this.#thread.composer.restore(refused.message.body);
      this.#renderThread();
    }
    this.#thread.showError(detail || `The server refused that (${code}).`);
  }

  // ---- helpers ----------------------------------------------------------------------------------

  #renderThread() {
    const id = this.#openId;
    const timeline = this.#store.timeline(id);
    if (timeline) this.#thread.renderMessages(timeline, { peerReadSeq: this.#store.contactReadSeq(id) });
  }

  #renderTyping() {
    this.#thread.setTyping(this.#openId ? this.#typingIn.authorsIn(this.#openId) : []);
  }

  #lastSessionCheck = 0;

  // A socket closing can mean the session expired; ask once in a while rather than loop.
  async #checkSession() {
    if (Date.now() - this.#lastSessionCheck < 30_000) return;
    this.#lastSessionCheck = Date.now();
    try {
      await this.#api.me();
    } catch (error) {
      if (error instanceof ApiError && error.status === 401) this.#handleError(error);
    }
  }

  #handleError(error) {
    if (error instanceof ApiError && error.status === 401) {
      this.stop();
      this.#onSignedOut();
      return;
    }
    this.#thread.showError(error.message);
  }
}
