// The coach in the console: the buyer's reading in the conversation header (topic, mood, urgency, who
// they are), the flags on the agent's draft under the composer, and the "Suggest reply" button.
// It renders what the server says and reports clicks; the desk decides when to ask.
import { h } from '../shared/dom.js';

export const INTENTS = {
  product_question: 'Product question',
  shipping_status: 'Shipping status',
  damaged_or_defective: 'Damaged or defective',
  return_or_refund: 'Return or refund',
  discount_request: 'Discount request',
  complaint: 'Complaint',
  order_change: 'Order change',
  other: 'Other',
};
export const SENTIMENTS = { negative: 'Unhappy', neutral: 'Neutral', positive: 'Happy' };

export class CoachView {
  #els;

  /**
   * @param {HTMLElement} root  the thread pane
   * @param {object} on  callbacks: suggest({refuse})
   */
  constructor(root, on) {
    const $ = (selector) => root.querySelector(selector);
    this.#els = {
      insight: $('[data-testid="insight"]'),
      intent: $('[data-testid="insight-intent"]'),
      sentiment: $('[data-testid="insight-sentiment"]'),
      urgent: $('[data-testid="insight-urgent"]'),
      customer: $('[data-testid="insight-customer"]'),
      flags: $('[data-testid="coach-flags"]'),
      suggest: $('[data-testid="suggest-reply"]'),
      refuse: $('[data-testid="suggest-refusal"]'),
    };
    this.#els.suggest.addEventListener('click', () => on.suggest({ refuse: false }));
    this.#els.refuse.addEventListener('click', () => on.suggest({ refuse: true }));
  }

  /** The coach's reading of the buyer's latest message (null: not read yet, or the coach is off). */
  showInsight(insight) {
    const { insight: box, intent, sentiment, urgent, customer } = this.#els;
    box.hidden = !insight;
    if (!insight) return;
    intent.textContent = insight.intent_label ?? INTENTS[insight.intent] ?? insight.intent;
    intent.dataset.intent = insight.intent;
    sentiment.textContent = SENTIMENTS[insight.sentiment] ?? insight.sentiment;
    sentiment.dataset.sentiment = insight.sentiment;
    urgent.hidden = !insight.urgent;
    urgent.title = (insight.urgency_cues ?? []).join(', ');
    const state = insight.customer ?? {};
    customer.dataset.state = state.state ?? '';
    customer.textContent = customerText(state);
  }

  /** Flags on the current draft; an empty list clears them. `state` says whether the draft was checked. */
  showFlags(flags, state = 'checked') {
    this.#els.flags.dataset.state = state;
    this.#els.flags.hidden = !flags.length;
    this.#els.flags.replaceChildren(...flags.map((flag) => h('li', {
      class: 'coach-flag',
      'data-testid': 'coach-flag',
      'data-kind': flag.kind,
      'data-in': flag.in ?? 'draft',
    },
    h('span', { class: 'coach-flag__label' }, flag.in === 'translation' ? `${flag.label} (${TRANSLATION_NOTE})` : flag.label),
    flag.span ? h('q', { class: 'coach-flag__span' }, flag.span) : null,
    h('span', { class: 'coach-flag__advice' }, flag.advice),
    h('span', { class: 'coach-flag__suggestion', 'data-testid': 'coach-suggestion' }, flag.suggestion))));
  }

  /** A check of the draft is on its way; the flags shown are for an older text. */
  markChecking() {
    this.#els.flags.dataset.state = 'checking';
  }

  setSuggesting(busy) {
    this.#els.suggest.disabled = this.#els.refuse.disabled = busy;
    this.#els.suggest.dataset.busy = busy ? 'true' : 'false';
  }
}

// Said of a flag only the buyer-language preview shows: the agent's own words were fine.
const TRANSLATION_NOTE = 'in what the buyer will read';

function customerText({ state, earlier = 0 } = {}) {
  if (state === 'impatient') return 'Impatient';
  if (state === 'returning') return earlier === 1 ? 'Returning · 1 earlier chat' : `Returning · ${earlier} earlier chats`;
  if (state === 'first_contact') return 'First contact';
  return '';
}
