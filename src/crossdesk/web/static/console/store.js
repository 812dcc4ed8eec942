// What the console knows about conversations: the latest snapshot of each, and the message
// timeline of those an agent has opened. Snapshots only move forward (by last_seq), so a late
// or replayed update can never roll the screen back.
import { Timeline } from '../shared/timeline.js';

export class ConversationStore {
  #conversations = new Map();
  #timelines = new Map();
  #contactReadSeq = new Map();
  #unreadCountedTo = new Map(); // conversation id -> highest seq already counted as (un)read

  get(id) {
    return this.#conversations.get(id) ?? null;
  }

  /**
   * Store a snapshot unless it is older than the one held. Returns whether it was taken.
   *
   * Only REST answers carry this agent's own unread_count; live conversation.updated snapshots
   * are broadcast to every agent, so for those (`ownUnread: false`) the local count is kept.
   */
  put(conversation, { ownUnread = true } = {}) {
    const current = this.get(conversation.id);
    if (current && (conversation.last_seq ?? 0) < (current.last_seq ?? 0)) return false;
    // Live snapshots reach buyers too, so they never carry the coach's insight: keep the one we have.
    if (!('insight' in conversation) && current && 'insight' in current) {
      conversation = { ...conversation, insight: current.insight };
    }
    if (ownUnread) {
      this.#unreadCountedTo.set(conversation.id, conversation.last_seq ?? 0);
      this.#conversations.set(conversation.id, conversation);
    } else {
      this.#conversations.set(conversation.id, { ...conversation, unread_count: current?.unread_count ?? 0 });
    }
    return true;
  }

  /**
   * Fold a message.created into the conversation's summary (preview, order) and unread count.
   * Each seq is counted once, whichever of message.created and conversation.updated came first.
   */
  noteMessage(message, { countsAsUnread }) {
    const id = message.conversation_id;
    const current = this.get(id);
    if (!current) return;
    let next = current;
    if (message.seq > (this.#unreadCountedTo.get(id) ?? 0)) {
      this.#unreadCountedTo.set(id, message.seq);
      if (countsAsUnread && message.author?.type === 'contact') {
        next = { ...next, unread_count: (next.unread_count ?? 0) + 1 };
      }
    }
    if (message.seq > (current.last_seq ?? 0)) {
      next = { ...next, last_seq: message.seq, last_message: message, updated_at: message.created_at ?? current.updated_at };
    }
    this.#conversations.set(id, next);
  }

  /** The coach read a newer buyer message. Returns whether it changed what we hold. */
  setInsight(id, insight) {
    const current = this.get(id);
    if (!current) return false;
    if ((current.insight?.message_id ?? 0) > insight.message_id) return false;
    this.#conversations.set(id, { ...current, insight });
    return true;
  }

  clearUnread(id) {
    const current = this.get(id);
    if (current?.unread_count) this.#conversations.set(id, { ...current, unread_count: 0 });
  }

  /** The timeline of a conversation the agent opened (null if never opened). */
  timeline(id) {
    return this.#timelines.get(id) ?? null;
  }

  openTimeline(id) {
    if (!this.#timelines.has(id)) this.#timelines.set(id, new Timeline());
    return this.#timelines.get(id);
  }

  /** Drop a send the server refused, wherever it is pending. */
  rejectSend(clientId) {
    for (const [conversationId, timeline] of this.#timelines) {
      const message = timeline.reject(clientId);
      if (message) return { conversationId, message };
    }
    return null;
  }

  /** `hello` cursors: the last seq of every timeline we hold, so a reconnect replays the rest. */
  cursors() {
    const cursors = {};
    for (const [id, timeline] of this.#timelines) if (timeline.lastSeq) cursors[id] = timeline.lastSeq;
    return cursors;
  }

  contactReadSeq(id) {
    return this.#contactReadSeq.get(id) ?? 0;
  }

  noteContactRead(id, seq) {
    if (seq > this.contactReadSeq(id)) this.#contactReadSeq.set(id, seq);
  }
}
