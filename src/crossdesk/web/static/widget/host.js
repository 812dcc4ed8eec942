// Talks to widget.js on the shop's page: it tells us whether the chat panel is open, we tell
// it the unread count and when the buyer closes the panel from inside.
//
// Messages from the parent are accepted from any origin (it is whichever shop embeds us), but
// they can only toggle visibility; nothing we send to it is private.

export class HostBridge extends EventTarget {
  #embedded = window.parent !== window;
  #open;
  #lastUnread = -1;

  constructor() {
    super();
    // Opened directly (not embedded), the chat is simply always visible.
    this.#open = !this.#embedded;
    window.addEventListener('message', (event) => {
      if (event.source !== window.parent || event.data?.source !== 'crossdesk') return;
      if (event.data.type === 'visibility') {
        this.#open = Boolean(event.data.open);
        this.dispatchEvent(new Event('visibilitychange'));
      }
    });
    this.#post({ type: 'ready' });
  }

  get embedded() {
    return this.#embedded;
  }

  /** The panel is open and the tab in front: what the buyer can actually see. */
  get visible() {
    return this.#open && document.visibilityState === 'visible';
  }

  setUnread(count) {
    if (count === this.#lastUnread) return;
    this.#lastUnread = count;
    this.#post({ type: 'unread', count });
  }

  requestClose() {
    this.#post({ type: 'close' });
  }

  #post(message) {
    if (this.#embedded) window.parent.postMessage({ source: 'crossdesk', ...message }, '*');
  }
}
