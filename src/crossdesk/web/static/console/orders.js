// The buyer's orders in the customer pane: what they bought, what they paid, and where each parcel is,
// with every tracking event's time in the buyer's time zone and in the agent's own; and the actions an
// agent may take on each (the desk checks them against the shop's policy).
import { h } from '../shared/dom.js';
import { newClientId } from '../shared/ids.js';

const STATUS = {
  label_created: 'Label created', picked_up: 'Picked up', in_transit: 'In transit', customs: 'In customs',
  cleared: 'Cleared customs', out_for_delivery: 'Out for delivery', delivered: 'Delivered', exception: 'Problem',
};

export class OrdersView {
  #list;
  #empty;
  #act;

  /**
   * @param {HTMLElement} root
   * @param {(orderId: number, body: object) => Promise<object>} act  asks the desk for an action
   */
  #outcomes = new Map(); // order id -> the latest action on it this agent saw (kept across redraws)

  constructor(root, act) {
    this.#list = root.querySelector('[data-testid="orders-list"]');
    this.#empty = root.querySelector('[data-testid="orders-empty"]');
    this.#act = async (orderId, body) => {
      const action = await act(orderId, body);
      this.noteAction(action);
      return action;
    };
  }

  /** @param {Array|null} orders  null: not loaded (yet) */
  show(orders, { buyerZone = null, summary = null } = {}) {
    this.#empty.hidden = !orders || orders.length > 0;
    this.#showSummary(summary);
    this.#list.replaceChildren(...(orders ?? []).map((order) => this.#orderItem(order, buyerZone)));
  }

  /** Purchase history at a glance: orders, lifetime value net of refunds, coupons given. */
  #showSummary(summary) {
    const line = this.#list.parentElement.querySelector('[data-testid="orders-summary"]');
    line.hidden = !summary?.orders;
    if (!summary?.orders) return;
    const lifetime = summary.lifetime.map((v) => money(v.amount, v.currency)).join(' + ');
    const coupons = summary.coupons.map((c) => `${c.code} (${c.percent_off}%)`).join(', ');
    line.textContent = `${summary.orders} ${summary.orders === 1 ? 'order' : 'orders'} · lifetime ${lifetime}`
      + (coupons ? ` · coupons ${coupons}` : '');
  }

  /** An action on an order was asked for, done, approved or rejected (here or live from elsewhere). */
  noteAction(action) {
    const known = this.#outcomes.get(action.order_id);
    if (!known || known.id <= action.id) this.#outcomes.set(action.order_id, action);
    const line = this.#list.querySelector(`[data-order-id="${action.order_id}"] [data-testid="action-result"]`);
    if (line) showOutcome(line, this.#outcomes.get(action.order_id));
  }

  #orderItem(order, buyerZone) {
    const item = orderItem(order, buyerZone);
    item.dataset.orderId = order.id;
    item.append(actionBar(order, this.#act, this.#outcomes.get(order.id)));
    return item;
  }
}

function showOutcome(line, action) {
  line.dataset.status = action?.status ?? '';
  line.textContent = !action ? ''
    : action.status === 'done' ? `${label(action)}: done. The buyer has been told.`
      : action.status === 'rejected' ? `${label(action)}: rejected by the lead.`
        : `${label(action)}: waiting for a lead's approval (${action.decision_note}).`;
}

function label(action) {
  return ACTIONS.find((a) => a.kind === action.kind)?.label ?? action.kind;
}

// Refund, reship, coupon... Each form gets its idempotency key when it opens, so a double click on
// its button sends the same key twice and the desk acts once.
const ACTIONS = [
  { kind: 'reship', label: 'Reship', whenShipped: true },
  { kind: 'refund', label: 'Refund', whenShipped: null },
  { kind: 'coupon', label: 'Coupon', whenShipped: null },
  { kind: 'address_change', label: 'Change address', whenShipped: false },
  { kind: 'cancel', label: 'Cancel order', whenShipped: false },
];

function actionBar(order, act, outcome) {
  const shipped = order.shipments.length > 0 || order.status === 'fulfilled';
  const slot = h('div', { class: 'order-action__slot' });
  const result = h('p', { class: 'order-action__result', 'data-testid': 'action-result', 'aria-live': 'polite' });
  showOutcome(result, outcome);
  const buttons = ACTIONS.filter((a) => a.whenShipped === null || a.whenShipped === shipped).map((a) =>
    h('button', {
      type: 'button',
      class: 'button button--small',
      'data-testid': `action-${a.kind}`,
      onclick: () => slot.replaceChildren(actionForm(order, a, act, () => slot.replaceChildren())),
    }, a.label));
  return h('div', { class: 'order-action' }, h('div', { class: 'order-action__buttons' }, buttons), slot, result);
}

function actionForm(order, { kind, label }, act, close) {
  const key = newClientId();
  const reason = h('input', { class: 'input', 'data-testid': 'action-reason', placeholder: 'Why (kept in the audit log)', maxlength: 500, required: true });
  const fields = [];
  let amount = null;
  let percent = null;
  let keep = null;
  let address = null;
  if (kind === 'refund') {
    amount = h('input', { class: 'input', 'data-testid': 'action-amount', inputmode: 'decimal', placeholder: `Amount in ${order.currency}` });
    fields.push(amount);
  } else if (kind === 'coupon') {
    percent = h('input', { class: 'input', 'data-testid': 'action-percent', inputmode: 'numeric', placeholder: '% off the next order' });
    fields.push(percent);
  } else if (kind === 'reship') {
    keep = h('input', { type: 'checkbox', checked: true, 'data-testid': 'action-keep' });
    fields.push(h('label', { class: 'order-action__check' }, keep, ' The buyer keeps the damaged item'));
  } else if (kind === 'address_change') {
    address = h('textarea', { class: 'input', 'data-testid': 'action-address', rows: 2, maxlength: 200, placeholder: 'New address' });
    fields.push(address);
  }
  const result = h('p', { class: 'order-action__result', 'data-testid': 'action-problem', 'aria-live': 'polite' });
  const submit = h('button', { type: 'submit', class: 'button button--primary button--small', 'data-testid': 'action-submit' }, label);
  const form = h('form', { class: 'order-action__form', 'data-kind': kind, novalidate: true },
    ...fields, reason,
    h('div', { class: 'order-action__row' }, submit,
      h('button', { type: 'button', class: 'button button--ghost button--small', onclick: close }, 'Close')),
    result);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const body = { kind, reason: reason.value.trim(), idempotency_key: key };
    if (amount) body.amount = toMinor(amount.value, order.currency);
    if (percent) body.percent = Number.parseInt(percent.value, 10) || 0;
    if (keep) body.keep_item = keep.checked;
    if (address) body.address = { address: address.value.trim() };
    if (!body.reason || (amount && body.amount == null)) {
      result.textContent = !body.reason ? 'Say why: it goes into the audit log.' : 'Enter an amount such as 25.00.';
      result.dataset.status = 'invalid';
      return;
    }
    submit.disabled = true;
    try {
      await act(order.id, body); // the outcome shows under the order's buttons
      close();
    } catch (error) {
      result.dataset.status = 'refused';
      result.textContent = error.message;
      submit.disabled = false;
    }
  });
  return form;
}

/** "25.50" in BRL -> 2550; null when it is not an amount. */
function toMinor(text, currency) {
  const value = Number.parseFloat(String(text).replace(',', '.'));
  if (!Number.isFinite(value) || value <= 0) return null;
  let digits = 2;
  try {
    digits = new Intl.NumberFormat(undefined, { style: 'currency', currency }).resolvedOptions().maximumFractionDigits;
  } catch { /* keep 2 */ }
  return Math.round(value * 10 ** digits);
}

function orderItem(order, buyerZone) {
  return h('li', { class: 'order', 'data-testid': 'order', 'data-number': order.number, 'data-status': order.status },
    h('div', { class: 'order__head' },
      h('span', { class: 'order__number' }, order.number),
      h('span', { class: 'chip chip--muted' }, order.status.replace(/_/g, ' ')),
      h('span', { class: 'order__total' }, money(order.total, order.currency))),
    h('div', { class: 'order__placed' }, `Placed ${when(order.placed_at, buyerZone).buyer}`,
      order.matched_by === 'number' ? h('span', { class: 'chip chip--muted', title: 'Not under this buyer\'s email: they named this order in the chat' }, ' named in chat') : null),
    h('ul', { class: 'order__items' }, order.items.map((item) => h('li', {},
      `${item.quantity} × ${item.title}${item.variant ? ` (${item.variant})` : ''}`))),
    order.shipments.map((shipment) => shipmentBlock(shipment, buyerZone)));
}

function shipmentBlock(shipment, buyerZone) {
  const link = /^https?:\/\//.test(shipment.tracking_url ?? '')
    ? h('a', { href: shipment.tracking_url, target: '_blank', rel: 'noopener noreferrer' }, shipment.tracking_number)
    : h('span', {}, shipment.tracking_number);
  const events = [...shipment.events].reverse(); // newest first
  return h('div', { class: 'shipment', 'data-testid': 'shipment', 'data-status': shipment.status },
    h('div', { class: 'shipment__head' },
      h('span', {}, `${shipment.carrier} `), link, ' ',
      h('span', { class: 'chip', 'data-testid': 'shipment-status' }, STATUS[shipment.status] ?? shipment.status)),
    shipment.eta ? h('div', { class: 'shipment__eta' }, `Expected ${when(shipment.eta, buyerZone).buyer} (buyer's time)`) : null,
    h('ol', { class: 'timeline', 'data-testid': 'tracking-events' }, events.map((event) => {
      const time = when(event.occurred_at, buyerZone);
      return h('li', { class: 'timeline__event', 'data-status': event.status },
        h('span', { class: 'timeline__what' }, event.description),
        event.location ? h('span', { class: 'timeline__where' }, event.location) : null,
        h('span', { class: 'timeline__when', 'data-testid': 'event-time' },
          h('span', { title: 'Buyer\'s time' }, `${time.buyer} buyer`), ' · ',
          h('span', { title: 'Your time' }, `${time.mine} you`)));
    })));
}

/** A moment in the buyer's time zone and in this browser's. */
function when(iso, buyerZone) {
  const date = new Date(iso);
  const options = { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' };
  let buyer;
  try {
    buyer = date.toLocaleString(undefined, { ...options, timeZone: buyerZone || undefined });
  } catch {
    buyer = date.toLocaleString(undefined, options); // an unknown zone name: say it in ours
  }
  return { buyer, mine: date.toLocaleString(undefined, options) };
}

/** Minor units in the currency's own precision (JPY has none, KWD three). */
function money(minor, currency) {
  try {
    const format = new Intl.NumberFormat(undefined, { style: 'currency', currency });
    const digits = format.resolvedOptions().maximumFractionDigits;
    return format.format(minor / 10 ** digits);
  } catch {
    return `${(minor / 100).toFixed(2)} ${currency}`;
  }
}
