// The message box used by both the widget and the console: Enter sends, Shift+Enter adds a
// line, IME composition (Chinese, Japanese, Korean input) never sends half a word, the box
// grows with its text, and a counter appears near the length limit.

export const MAX_BODY_LENGTH = 5000;
const COUNTER_FROM = MAX_BODY_LENGTH - 500;
const MAX_HEIGHT_PX = 160;

export class Composer {
  #textarea;
  #sendButton;
  #counter;
  #onSubmit;
  #onInput;
  #onCleared;
  #onTooLong;

  /**
   * @param {object} parts
   * @param {HTMLTextAreaElement} parts.textarea
   * @param {HTMLButtonElement} parts.sendButton
   * @param {HTMLElement} parts.counter
   * @param {(text: string) => boolean} parts.onSubmit  returns true if the text was taken
   * @param {() => void} [parts.onInput]     every edit that leaves text (typing notifications)
   * @param {() => void} [parts.onCleared]   an edit that left the box empty
   * @param {(length: number) => void} [parts.onTooLong]
   */
  constructor({ textarea, sendButton, counter, onSubmit, onInput = () => {}, onCleared = () => {}, onTooLong = () => {} }) {
    this.#textarea = textarea;
    this.#sendButton = sendButton;
    this.#counter = counter;
    this.#onSubmit = onSubmit;
    this.#onInput = onInput;
    this.#onCleared = onCleared;
    this.#onTooLong = onTooLong;

    textarea.addEventListener('keydown', (event) => {
      if (event.key !== 'Enter' || event.shiftKey || event.isComposing || event.keyCode === 229) return;
      event.preventDefault();
      this.submit();
    });
    textarea.addEventListener('input', () => {
      this.#refresh();
      if (textarea.value) this.#onInput();
      else this.#onCleared();
    });
    sendButton.addEventListener('click', () => this.submit());
    this.#refresh();
  }

  get value() {
    return this.#textarea.value;
  }

  /** Replace the text (e.g. when switching conversations). */
  set value(text) {
    this.#textarea.value = text;
    this.#refresh();
  }

  /** Put back text the server refused. Refusals arrive in send order, so appending keeps it. */
  restore(text) {
    const current = this.#textarea.value;
    this.value = current.trim() ? `${current}\n${text}` : text;
  }

  focus() {
    this.#textarea.focus();
  }

  set disabled(disabled) {
    this.#textarea.disabled = disabled;
    this.#refresh();
  }

  submit() {
    const text = this.#textarea.value.trim();
    if (!text) return;
    // Too long: keep every character where it is and say why nothing happened.
    if (text.length > MAX_BODY_LENGTH) {
      this.#onTooLong(text.length);
      return;
    }
    if (this.#onSubmit(text)) this.value = '';
    this.#textarea.focus();
  }

  #refresh() {
    const length = this.#textarea.value.trim().length;
    this.#sendButton.disabled = this.#textarea.disabled || length === 0;
    const showCounter = length >= COUNTER_FROM;
    this.#counter.hidden = !showCounter;
    this.#counter.textContent = showCounter ? `${length.toLocaleString()} / ${MAX_BODY_LENGTH.toLocaleString()}` : '';
    this.#counter.classList.toggle('is-over', length > MAX_BODY_LENGTH);
    // Autosize: measure from "auto" so the box can shrink as well as grow.
    this.#textarea.style.height = 'auto';
    this.#textarea.style.height = `${Math.min(this.#textarea.scrollHeight, MAX_HEIGHT_PX)}px`;
  }
}
