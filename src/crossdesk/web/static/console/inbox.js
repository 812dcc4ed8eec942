// The left pane: tabs (Mine / Unassigned / All), status, topic and mood filters, and the conversation list.
// It renders snapshots from the store; which conversations belong in the list is decided here.
import { h, reconcile } from '../shared/dom.js';
import { countryName, formatRelative, initials } from '../shared/format.js';
import { activityText } from '../shared/message-list.js';
import { INTENTS, SENTIMENTS } from './coach.js';

export const TABS = ['mine', 'unassigned', 'all'];

export class InboxView {
  #els;
  #store;
  #meId;
  #ids = new Set();
  #rows = new Map(); // id -> {node, signature}
  #selectedId = null;
  filter = { tab: 'mine', status: 'open', intent: '', sentiment: '' };

  /**
   * @param {object} options
   * @param {HTMLElement} options.root
   * @param {import('./store.js').ConversationStore} options.store
   * @param {number} options.meId
   * @param {(id: number) => void} options.onOpen
   * @param {(filter: object) => void} options.onFilterChange
   * @param {() => void} options.onLoadMore
   */
  constructor({ root, store, meId, onOpen, onFilterChange, onLoadMore }) {
    this.#store = store;
    this.#meId = meId;
    this.#els = {
      tabs: Object.fromEntries(TABS.map((tab) => [tab, root.querySelector(`[data-testid="inbox-tab-${tab}"]`)])),
      status: root.querySelector('#status-filter'),
      intent: root.querySelector('#intent-filter'),
      sentiment: root.querySelector('#sentiment-filter'),
      list: root.querySelector('#inbox-list'),
      empty: root.querySelector('#inbox-empty'),
      more: root.querySelector('#inbox-more'),
    };
    for (const tab of TABS) {
      this.#els.tabs[tab].addEventListener('click', () => {
        this.filter = { ...this.filter, tab };
        onFilterChange(this.filter);
      });
    }
    this.#els.intent.append(...Object.entries(INTENTS).map(([value, label]) => h('option', { value }, label)));
    this.#els.sentiment.append(...Object.entries(SENTIMENTS).map(([value, label]) => h('option', { value }, label)));
    for (const name of ['status', 'intent', 'sentiment']) {
      this.#els[name].addEventListener('change', () => {
        this.filter = { ...this.filter, [name]: this.#els[name].value };
        onFilterChange(this.filter);
      });
    }
    this.#els.list.addEventListener('click', (event) => {
      const row = event.target.closest('[data-conversation-id]');
      if (row) onOpen(Number(row.dataset.conversationId));
    });
    this.#els.more.addEventListener('click', onLoadMore);
    this.#renderFilter();
  }

  /** Replace the list with a fresh page from the server (or append a further page). */
  setPage(conversations, { append = false, hasMore = false } = {}) {
    if (!append) this.#ids.clear();
    for (const conversation of conversations) this.#ids.add(conversation.id);
    this.#els.more.hidden = !hasMore;
    this.#renderFilter();
    this.render();
  }

  setCounts(counts) {
    for (const tab of TABS) {
      const badge = this.#els.tabs[tab].querySelector('.tab__count');
      badge.textContent = counts?.[tab] != null ? String(counts[tab]) : '';
    }
  }

  /** A conversation changed: show it if it now matches the filter, drop it if it no longer does. */
  consider(id) {
    const conversation = this.#store.get(id);
    if (conversation && this.matches(conversation)) this.#ids.add(id);
    else this.#ids.delete(id);
  }

  matches(conversation) {
    if (conversation.status !== this.filter.status) return false;
    if (this.filter.intent && conversation.insight?.intent !== this.filter.intent) return false;
    if (this.filter.sentiment && conversation.insight?.sentiment !== this.filter.sentiment) return false;
    if (this.filter.tab === 'mine') return conversation.assignee?.id === this.#meId;
    if (this.filter.tab === 'unassigned') return !conversation.assignee;
    return true;
  }

  select(id) {
    this.#selectedId = id;
    this.render();
  }

  render() {
    const conversations = [...this.#ids]
      .map((id) => this.#store.get(id))
      .filter(Boolean)
      .sort((a, b) => new Date(b.updated_at) - new Date(a.updated_at));
    const now = Date.now();
    const nodes = conversations.map((conversation) => this.#row(conversation, now));
    for (const id of this.#rows.keys()) if (!this.#ids.has(id)) this.#rows.delete(id);
    reconcile(this.#els.list, nodes);
    this.#els.empty.hidden = conversations.length > 0;
  }

  #renderFilter() {
    for (const tab of TABS) {
      const active = tab === this.filter.tab;
      this.#els.tabs[tab].classList.toggle('is-active', active);
      this.#els.tabs[tab].setAttribute('aria-selected', String(active));
    }
    this.#els.status.value = this.filter.status;
    this.#els.intent.value = this.filter.intent;
    this.#els.sentiment.value = this.filter.sentiment;
  }

  // Rows are rebuilt only when something they show changed (the minute tick included).
  #row(conversation, now) {
    const selected = conversation.id === this.#selectedId;
    const time = formatRelative(conversation.last_message?.created_at ?? conversation.updated_at, now);
    const signature = JSON.stringify([conversation, selected, time]);
    const cached = this.#rows.get(conversation.id);
    if (cached?.signature === signature) return cached.node;

    const { contact, insight } = conversation;
    const unread = selected ? 0 : conversation.unread_count ?? 0;
    const node = h('li', { class: 'inbox-row' },
      h('button', {
        type: 'button',
        class: `inbox-item${selected ? ' is-selected' : ''}${unread ? ' is-unread' : ''}`,
        'data-testid': 'inbox-item',
        'data-conversation-id': conversation.id,
        'data-intent': insight?.intent ?? null,
        'data-sentiment': insight?.sentiment ?? null,
        'aria-current': selected ? 'true' : null,
      },
      h('span', { class: 'avatar', 'aria-hidden': 'true' }, initials(contact?.name)),
      h('span', { class: 'inbox-item__body' },
        h('span', { class: 'inbox-item__top' },
          h('span', { class: 'inbox-item__name' }, contact?.name || 'Visitor'),
          // The ISO code, not a flag emoji: Windows has no flag glyphs.
          contact?.country ? h('abbr', { class: 'inbox-item__country', title: countryName(contact.country) },
            contact.country.toUpperCase()) : null,
          h('time', { class: 'inbox-item__time', datetime: conversation.updated_at }, time)),
        h('span', { class: 'inbox-item__bottom' },
          insight ? h('span', {
            class: `inbox-item__topic${insight.sentiment === 'negative' ? ' is-unhappy' : ''}${insight.urgent ? ' is-urgent' : ''}`,
            title: `${SENTIMENTS[insight.sentiment] ?? ''}${insight.urgent ? ', urgent' : ''}`,
          }, INTENTS[insight.intent] ?? insight.intent) : null,
          h('span', { class: 'inbox-item__preview' }, preview(conversation.last_message, this.#meId)),
          unread ? h('span', { class: 'unread-badge', 'data-testid': 'unread-badge', 'aria-label': `${unread} unread` },
            unread > 99 ? '99+' : String(unread)) : null))));
    this.#rows.set(conversation.id, { node, signature });
    return node;
  }
}

function preview(message, meId) {
  if (!message) return 'No messages yet';
  if (message.kind === 'activity') return activityText(message);
  const text = message.body || (message.attachment ? '📷 Image' : '');
  if (message.author?.type !== 'agent') return text;
  return `${message.author.id === meId ? 'You' : message.author.name?.split(' ')[0] ?? 'Agent'}: ${text}`;
}
