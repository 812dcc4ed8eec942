// The buyer's chat, running inside the widget iframe. Wires the session, the live socket,
// the timeline and the DOM together; each of those lives in its own module.
import { Composer } from '../shared/composer.js';
import { h } from '../shared/dom.js';
import { uploadProblem } from '../shared/http.js';
import { LiveSocket, Outbox, liveUrl } from '../shared/live.js';
import { MessageList } from '../shared/message-list.js';
import { store } from '../shared/storage.js';
import { Timeline } from '../shared/timeline.js';
import { TypingSender, TypingWatcher } from '../shared/typing.js';
import { BuyerCalls, buyerCallText } from './call.js';
import { HostBridge } from './host.js';
import { translationLabels } from './i18n.js';
import { setUpOrderTracking } from './order-tracking.js';
import { VisitorApi } from './visitor-api.js';

const base = new URL('../../', import.meta.url); // this file is BASE/static/widget/frame.js
const shop = new URLSearchParams(location.search).get('shop') ?? '';
const keys = {
  token: `crossdesk.visitor.${shop}`,
  outbox: `crossdesk.outbox.${shop}`,
  read: `crossdesk.read.${shop}`, // last seq the buyer has seen, so history is not "unread"
};

const $ = (id) => document.getElementById(id);
const api = new VisitorApi(base);
const host = new HostBridge();

let contact = null;
let conversation = null; // the conversation on screen; null until the buyer's first message
let timeline = new Timeline();
let peerReadSeq = 0;
let live = null;

const messageList = new MessageList({
  container: $('messages'),
  scroller: $('scroller'),
  isOwn: (message) => message.author?.type === 'contact',
  imageFor: imageElement,
  translationView: buyerView,
  callText: (message) => buyerCallText(message, buyerLanguage()),
});

function buyerLanguage() {
  return conversation?.language ?? contact?.language ?? navigator.language;
}

const calls = new BuyerCalls({ api, language: buyerLanguage });

/** An agent's message reads in the buyer's language, marked as translated, the original one tap away. */
function buyerView(message) {
  if (message.author?.type !== 'agent') return null;
  const translations = message.translations ?? {};
  const language = conversation?.language && translations[conversation.language]
    ? conversation.language
    : Object.keys(translations)[0];
  const translation = language && translations[language];
  if (!translation) return null;
  const labels = translationLabels(language);
  return {
    mode: 'replace',
    language,
    ...translation,
    label: labels.translated,
    showOriginalLabel: labels.showOriginal,
    showTranslationLabel: labels.showTranslation,
    pendingLabel: labels.translating,
  };
}

const composer = new Composer({
  textarea: $('composer'),
  sendButton: $('send'),
  counter: $('counter'),
  onSubmit: sendText,
  onInput: () => outgoingTyping.touch(),
  onTooLong: (length) => showError('too_long', `Your message is too long: ${length.toLocaleString()} of 5,000 characters.`),
});

const outgoingTyping = new TypingSender((on) => {
  if (conversation) live?.send({ type: 'typing', conversation_id: conversation.id, on });
});
const incomingTyping = new TypingWatcher(renderTyping);

// ---- start-up -------------------------------------------------------------------------------

$('close').addEventListener('click', () => host.requestClose());
$('close').hidden = !host.embedded;
$('error-dismiss').addEventListener('click', hideError);
$('attach').addEventListener('click', () => $('file').click());
$('file').addEventListener('change', onFileChosen);
$('retry').addEventListener('click', boot);
host.addEventListener('visibilitychange', markReadIfVisible);
document.addEventListener('visibilitychange', markReadIfVisible);
$('scroller').addEventListener('scroll', markReadIfVisible, { passive: true });

async function boot() {
  setPhase('loading');
  try {
    const session = await startSession();
    contact = session.contact;
    const latest = [...session.conversations].sort(byNewest)[0] ?? null;
    if (latest) await showConversation(latest);
    restoreOutbox();
    render();
    setUpOrderTracking({ api, language: contact?.language ?? navigator.language });
    setPhase('ready');
    connect();
  } catch (error) {
    $('failure-text').textContent = error.message;
    setPhase('failed');
  }
}

async function startSession() {
  const token = store.get(keys.token);
  const session = await api.startSession({ shop, token });
  store.set(keys.token, session.token);
  return session;
}

async function showConversation(next) {
  conversation = next;
  timeline = new Timeline();
  messageList.clear();
  for (const message of await api.messagesAfter(next.id, 0)) timeline.add(message);
  renderHeader();
}

async function refreshMessages() {
  const id = conversation.id;
  try {
    const messages = await api.messagesAfter(id, Math.max(0, timeline.lastSeq - 50));
    if (id !== conversation?.id) return;
    let changed = false;
    for (const message of messages) changed = timeline.add(message) || changed;
    if (changed) render();
  } catch {
    // Best effort: the live socket still delivers every new message.
  }
}

/** Sends still waiting from a previous page view appear as "sending" until acknowledged. */
function restoreOutbox() {
  for (const entry of new Outbox(keys.outbox).list()) {
    if (entry.conversation_id == null || entry.conversation_id === conversation?.id) {
      timeline.addPending(pendingMessage(entry));
    }
  }
}

function connect() {
  live?.stop();
  live = new LiveSocket({
    url: liveUrl(base),
    outboxKey: keys.outbox,
    helloFrame: () => ({ token: api.token, cursors: conversation ? { [conversation.id]: timeline.lastSeq } : {} }),
  });
  live.addEventListener('event', (e) => onServerEvent(e.detail));
  live.addEventListener('ack', (e) => onAck(e.detail));
  live.addEventListener('error', (e) => onErrorFrame(e.detail));
  live.addEventListener('typing', (e) => {
    if (e.detail.author?.type !== 'contact' && e.detail.conversation_id === conversation?.id) incomingTyping.apply(e.detail);
  });
  live.addEventListener('read', (e) => onRead(e.detail));
  live.addEventListener('status', (e) => {
    showConnection(e.detail.state);
    // Translations that finished while we were away come with a fresh copy of the messages.
    if (e.detail.state === 'online' && e.detail.reconnected && conversation) refreshMessages();
  });
  live.addEventListener('ready', markReadIfVisible);
  calls.attach(live);
  live.start();
}

// ---- live events ----------------------------------------------------------------------------

async function onServerEvent({ event, conversation_id: conversationId, data }) {
  if (event === 'conversation.updated') {
    if (conversationId === conversation?.id && (data.last_seq ?? 0) >= (conversation.last_seq ?? 0)) {
      conversation = data;
      renderHeader();
    }
    return;
  }
  if (event === 'message.translated') {
    if (conversationId === conversation?.id && timeline.applyTranslation(data)) render();
    return;
  }
  if (event !== 'message.created') return;
  if (conversation && conversationId !== conversation.id) {
    // Only this buyer's conversations reach us: a message elsewhere means the desk moved the
    // conversation on (e.g. a new one after the last was resolved). Follow it.
    await showConversation({ id: conversationId });
    render();
    return;
  }
  if (!conversation) conversation = { id: conversationId };
  if (data.seq > timeline.lastSeq + 1 && timeline.lastSeq > 0) {
    live.send({ type: 'sync', conversation_id: conversationId, after_seq: timeline.lastSeq });
  }
  incomingTyping.clearAuthor(conversationId, data.author);
  if (timeline.add(data)) render();
}

async function onAck(ack) {
  if (!conversation) conversation = { id: ack.conversation_id };
  if (ack.conversation_id !== conversation.id) {
    // The desk put this message into a new conversation: show that one (it includes the message).
    await showConversation({ id: ack.conversation_id });
    render();
    return;
  }
  if (timeline.acknowledge(ack)) {
    hideError();
    render();
  }
}

function onErrorFrame({ code, detail, client_id: clientId }) {
  if (clientId) {
    // Nothing was stored: take the bubble away and give the text back to the buyer.
    const message = timeline.reject(clientId);
    if (message?.body) composer.restore(message.body);
    render();
  }
  showError(code, ERROR_TEXT[code] ?? detail);
}

function onRead({ conversation_id: conversationId, reader, seq }) {
  if (conversationId !== conversation?.id) return;
  if (reader?.type === 'contact') {
    rememberRead(seq); // the buyer read it in another tab
  } else if (seq > peerReadSeq) {
    peerReadSeq = seq;
  }
  render();
}

// ---- sending --------------------------------------------------------------------------------

function sendText(text) {
  if (!live) return false;
  const entry = live.sendMessage({ conversationId: conversation?.id ?? null, body: text });
  timeline.addPending(pendingMessage(entry));
  outgoingTyping.stop();
  render();
  return true;
}

async function onFileChosen(event) {
  const file = event.target.files?.[0];
  event.target.value = ''; // choosing the same file again must fire "change" again
  if (!file || !live) return;
  const problem = uploadProblem(file);
  if (problem) return showError('bad_request', problem);
  setUploading(true);
  try {
    const attachment = await api.uploadImage(file, conversation?.id);
    const entry = live.sendMessage({ conversationId: conversation?.id ?? null, attachmentId: attachment.id });
    timeline.addPending({ ...pendingMessage(entry), attachment, preview_url: URL.createObjectURL(file) });
    render();
  } catch (error) {
    showError('upload_failed', error.message);
  } finally {
    setUploading(false);
  }
}

function pendingMessage(entry) {
  return {
    client_id: entry.client_id,
    conversation_id: entry.conversation_id,
    kind: entry.attachment_id ? 'image' : 'text',
    author: { type: 'contact', id: contact?.id, name: contact?.name },
    body: entry.body,
    attachment: entry.attachment_id ? { id: entry.attachment_id, url: `/api/v1/attachments/${entry.attachment_id}` } : null,
    created_at: entry.queued_at,
  };
}

// ---- read receipts and unread badge -----------------------------------------------------------

function readSeq() {
  return conversation ? store.get(keys.read, {})[conversation.id] ?? 0 : 0;
}

function rememberRead(seq) {
  const marks = store.get(keys.read, {});
  if ((marks[conversation.id] ?? 0) >= seq) return;
  marks[conversation.id] = seq;
  store.set(keys.read, marks);
}

function markReadIfVisible() {
  if (!conversation || !host.visible || !messageList.isNearBottom()) return updateUnread();
  const seq = timeline.lastSeq;
  if (seq > readSeq() && live?.send({ type: 'read', conversation_id: conversation.id, seq })) rememberRead(seq);
  updateUnread();
}

function updateUnread() {
  const seen = readSeq();
  const unread = timeline.items().filter((item) => item.message.seq > seen && item.message.author?.type === 'agent').length;
  host.setUnread(unread);
}

// ---- rendering ------------------------------------------------------------------------------

function render() {
  messageList.render(timeline.items(), { peerReadSeq });
  $('welcome').hidden = timeline.size > 0;
  markReadIfVisible();
}

function renderHeader() {
  const assignee = conversation?.assignee;
  $('subtitle').textContent = assignee
    ? `${assignee.name} is helping you`
    : 'We usually reply within a few minutes.';
}

function renderTyping() {
  const authors = conversation ? incomingTyping.authorsIn(conversation.id) : [];
  $('typing').hidden = authors.length === 0;
  $('typing-text').textContent = authors.length === 1 && authors[0].name
    ? `${authors[0].name} is typing…`
    : 'Agent is typing…';
  if (authors.length && messageList.isNearBottom()) messageList.scrollToBottom();
}

const blobUrls = new Map(); // attachment url -> Promise<object URL>

function imageElement(message) {
  const { attachment } = message;
  const img = h('img', {
    class: 'msg__image',
    alt: 'Image',
    width: attachment?.width,
    height: attachment?.height,
  });
  if (message.preview_url) {
    img.src = message.preview_url;
    return img;
  }
  if (!blobUrls.has(attachment.url)) {
    blobUrls.set(attachment.url, api.imageBlob(attachment.url).then((blob) => URL.createObjectURL(blob)));
  }
  blobUrls.get(attachment.url).then(
    (src) => { img.src = src; },
    () => { img.alt = 'Image could not be loaded'; img.classList.add('is-broken'); },
  );
  return img;
}

const ERROR_TEXT = {
  rate_limited: 'You are sending messages too quickly. Please wait a moment, then try again.',
  too_long: 'Your message is too long (5,000 characters at most).',
};

function showError(code, text) {
  $('error').dataset.code = code;
  $('error-text').textContent = text || 'Something went wrong. Please try again.';
  $('error').hidden = false;
}

function hideError() {
  $('error').hidden = true;
}

let offlineTimer = 0;

// A short blip should not flash a banner: only say "reconnecting" after a second offline.
function showConnection(state) {
  clearTimeout(offlineTimer);
  if (state === 'online') {
    $('connection').hidden = true;
    return;
  }
  offlineTimer = setTimeout(() => { $('connection').hidden = false; }, 1000);
}

function setUploading(uploading) {
  $('attach').disabled = uploading;
  $('attach').classList.toggle('is-busy', uploading);
  $('attach').setAttribute('aria-label', uploading ? 'Uploading image…' : 'Attach an image');
}

function setPhase(phase) {
  document.body.dataset.phase = phase;
  $('failure').hidden = phase !== 'failed';
  composer.disabled = phase !== 'ready';
}

function byNewest(a, b) {
  return new Date(b.updated_at ?? b.created_at) - new Date(a.updated_at ?? a.created_at);
}

boot();
