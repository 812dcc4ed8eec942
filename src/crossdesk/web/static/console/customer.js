// The right pane: who the buyer is and, most useful across time zones, what time it is for
// them right now (so an agent in Shenzhen knows a São Paulo buyer is asleep).
import { countryName, formatDateTime, initials, languageName, localTime } from '../shared/format.js';

export class CustomerView {
  #els;
  #conversation = null;
  #clock = 0;

  /**
   * @param {HTMLElement} root
   * @param {object} on  callbacks: language(code | null) when the agent fixes the conversation language
   */
  constructor(root, on = { language: () => {} }) {
    const $ = (selector) => root.querySelector(selector);
    this.#els = {
      root,
      body: $('#customer-body'),
      avatar: $('#customer-avatar'),
      name: $('[data-testid="customer-name"]'),
      email: $('#customer-email'),
      country: $('#customer-country'),
      language: $('#customer-language'),
      localTime: $('[data-testid="customer-local-time"]'),
      offset: $('#customer-offset'),
      created: $('#customer-created'),
      conversationLanguage: $('#buyer-language'),
      conversationLanguageHint: $('#buyer-language-hint'),
    };
    for (const option of this.#els.conversationLanguage.options) {
      if (option.value) option.textContent = `${languageName(option.value)} (${option.value})`;
    }
    this.#els.conversationLanguage.addEventListener('change', () => {
      on.language(this.#els.conversationLanguage.value || null);
    });
  }

  show(conversation) {
    this.#conversation = conversation;
    this.#els.body.hidden = !conversation;
    clearTimeout(this.#clock);
    if (!conversation) return;
    const contact = conversation.contact ?? {};
    this.#els.avatar.textContent = initials(contact.name);
    this.#els.name.textContent = contact.name || 'Visitor';
    this.#els.email.textContent = contact.email || 'No email';
    this.#els.email.classList.toggle('is-missing', !contact.email);
    this.#els.country.textContent = contact.country
      ? `${countryName(contact.country)} (${contact.country.toUpperCase()})`
      : 'Unknown';
    this.#els.language.textContent = contact.language ? languageName(contact.language) : 'Unknown';
    this.#els.created.textContent = formatDateTime(conversation.created_at);
    const select = this.#els.conversationLanguage;
    select.value = conversation.language_pinned ? conversation.language ?? '' : '';
    select.dataset.language = conversation.language ?? ''; // what translations target, pinned or detected
    this.#els.conversationLanguageHint.textContent = conversation.language_pinned
      ? 'set by an agent'
      : conversation.language ? `detected: ${languageName(conversation.language)}` : 'not detected yet';
    this.#tick();
  }

  // Re-render on each minute boundary so the clock never lags by up to a minute.
  #tick() {
    const zone = this.#conversation?.contact?.timezone;
    const local = localTime(zone);
    this.#els.localTime.textContent = local ? local.time : 'Unknown';
    this.#els.offset.textContent = local ? `${local.offset} · ${zone}` : '';
    const msToNextMinute = 60_000 - (Date.now() % 60_000) + 50;
    this.#clock = setTimeout(() => this.#tick(), msToNextMinute);
  }
}
