// The lead's queue: actions above an agent's limits, waiting for an admin to approve or reject them.
import { h } from '../shared/dom.js';

export class ApprovalsView {
  #root;
  #list;
  #decide;

  /**
   * @param {HTMLElement} root  the approvals section (shown to admins only)
   * @param {(id: number, approve: boolean) => Promise<void>} decide
   */
  constructor(root, decide) {
    this.#root = root;
    this.#list = root.querySelector('[data-testid="approvals-list"]');
    this.#decide = decide;
  }

  show(actions) {
    this.#root.hidden = actions.length === 0;
    this.#list.replaceChildren(...actions.map((action) => h('li', {
      class: 'approval', 'data-testid': 'approval', 'data-action-id': action.id, 'data-kind': action.kind,
    },
    h('span', { class: 'approval__what' }, describe(action)),
    h('span', { class: 'approval__why' }, action.reason),
    h('span', { class: 'approval__note' }, action.decision_note ?? ''),
    h('span', { class: 'approval__buttons' },
      h('button', { type: 'button', class: 'button button--success button--small', 'data-testid': 'approve', onclick: () => this.#decide(action.id, true) }, 'Approve'),
      h('button', { type: 'button', class: 'button button--small', 'data-testid': 'reject', onclick: () => this.#decide(action.id, false) }, 'Reject')))));
  }
}

function describe(action) {
  const order = `order ${action.order_number}`;
  if (action.kind === 'refund') return `Refund ${money(action.amount, action.currency)} on ${order}`;
  if (action.kind === 'coupon') return `${action.params?.percent}% coupon for ${order}`;
  return `${action.kind.replace('_', ' ')} on ${order}`;
}

function money(minor, currency) {
  try {
    const format = new Intl.NumberFormat(undefined, { style: 'currency', currency });
    return format.format(minor / 10 ** format.resolvedOptions().maximumFractionDigits);
  } catch {
    return `${minor} ${currency}`;
  }
}
