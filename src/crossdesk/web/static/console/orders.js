// The buyer's orders in the customer pane: what they bought, what they paid, and where each parcel is,
// with every tracking event's time in the buyer's time zone and in the agent's own.
import { h } from '../shared/dom.js';

const STATUS = {
  label_created: 'Label created', picked_up: 'Picked up', in_transit: 'In transit', customs: 'In customs',
  cleared: 'Cleared customs', out_for_delivery: 'Out for delivery', delivered: 'Delivered', exception: 'Problem',
};

export class OrdersView {
  #list;
  #empty;

  constructor(root) {
    this.#list = root.querySelector('[data-testid="orders-list"]');
    this.#empty = root.querySelector('[data-testid="orders-empty"]');
  }

  /** @param {Array|null} orders  null: not loaded (yet) */
  show(orders, { buyerZone = null } = {}) {
    this.#empty.hidden = !orders || orders.length > 0;
    this.#list.replaceChildren(...(orders ?? []).map((order) => orderItem(order, buyerZone)));
  }
}

function orderItem(order, buyerZone) {
  return h('li', { class: 'order', 'data-testid': 'order', 'data-number': order.number, 'data-status': order.status },
    h('div', { class: 'order__head' },
      h('span', { class: 'order__number' }, order.number),
      h('span', { class: 'chip chip--muted' }, order.status.replace(/_/g, ' ')),
      h('span', { class: 'order__total' }, money(order.total, order.currency))),
    h('div', { class: 'order__placed' }, `Placed ${when(order.placed_at, buyerZone).buyer}`),
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
