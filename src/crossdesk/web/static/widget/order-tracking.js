// "Track an order" in the widget: the buyer proves an order is theirs (number and email) and sees where
// the parcel is, in their language and their local time. Everything shown is text, never markup.
import { h } from '../shared/dom.js';
import { ApiError } from '../shared/http.js';
import { trackingLabels } from './i18n.js';

export function setUpOrderTracking({ api, language }) {
  const text = trackingLabels(language);
  const $ = (id) => document.getElementById(id);
  $('track-summary').textContent = text.track;
  $('track-number').placeholder = text.number;
  $('track-number-label').textContent = text.number;
  $('track-email').placeholder = text.email;
  $('track-email-label').textContent = text.email;
  $('track-submit').textContent = text.find;
  const result = $('track-result');
  $('track-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    const number = $('track-number').value.trim();
    const email = $('track-email').value.trim();
    if (!number || !email) return;
    $('track-submit').disabled = true;
    try {
      const order = await api.lookupOrder(number, email);
      result.replaceChildren(orderCard(order, text, language));
      result.dataset.state = 'found';
    } catch (error) {
      const tooMany = error instanceof ApiError && error.status === 429;
      result.replaceChildren(h('p', { class: 'chat__track-miss' }, tooMany ? text.tooMany : text.notFound));
      result.dataset.state = 'missing';
    } finally {
      $('track-submit').disabled = false;
    }
  });
}

function orderCard(order, text, language) {
  const shipment = order.shipments.at(-1);
  const latest = shipment?.events.at(-1);
  const when = (iso) => new Date(iso).toLocaleString(language || undefined, {
    month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit',
  });
  return h('div', { class: 'chat__track-card', 'data-testid': 'track-card' },
    h('p', { class: 'chat__track-number' }, order.number),
    latest ? h('p', { 'data-testid': 'track-latest' }, `${latest.description}${latest.location ? ` · ${latest.location}` : ''} · ${when(latest.occurred_at)}`) : null,
    shipment?.eta ? h('p', {}, `${text.expected}: ${when(shipment.eta)}`) : null,
    shipment && /^https?:\/\//.test(shipment.tracking_url ?? '')
      ? h('a', { href: shipment.tracking_url, target: '_blank', rel: 'noopener noreferrer' }, shipment.tracking_number)
      : null);
}
