// Tiny DOM helpers shared by the two pages (no framework; the pages are small).
// The kiosk code is ES2020 with DOM APIs of Chromium 80 and earlier (older kiosk WebViews): no `??=`,
// no `replaceChildren` (test/kiosk/compat.unit.test.ts checks this).

/** @typedef {Node | string | number | null | undefined | false} Child what `h` accepts as a child (numbers become text) */
/** @typedef {Node | string | null | undefined | false} Content what `setChildren` accepts as a child */

/**
 * The element `selector` finds in `root`. The pages look up only elements of their own HTML, so the type
 * leaves out null; where a narrower kind of element is needed (a form, a button), the caller casts.
 * @param {string} selector
 * @param {ParentNode} [root]
 * @returns {HTMLElement}
 */
export const $ = (selector, root = document) => /** @type {HTMLElement} */ (root.querySelector(selector));

/**
 * An element with attributes (`class`, `data-*`, `aria-*`, ...), properties for `hidden`/`disabled`, and children.
 * @param {string} tag
 * @param {Record<string, unknown>} [attributes]
 * @param {...(Child | Child[])} children
 * @returns {HTMLElement}
 */
export function h(tag, attributes = {}, ...children) {
  // `disabled` is a property of form controls only (the pages pass it to buttons).
  const element = /** @type {HTMLElement & { disabled?: boolean }} */ (document.createElement(tag));
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === null || value === false) continue;
    if (name === 'hidden' || name === 'disabled') element[name] = Boolean(value);
    else element.setAttribute(name, value === true ? '' : String(value));
  }
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    element.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return element;
}

/**
 * Replaces `element`'s children with `children` (nodes, text, or arrays of them), like
 * `element.replaceChildren(...)`, which needs Chromium 86.
 * @param {ParentNode} element
 * @param {...(Content | Content[])} children
 */
export function setChildren(element, ...children) {
  while (element.firstChild) element.removeChild(element.firstChild);
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    element.append(child);
  }
}

/**
 * Fills every `[data-i18n]` element's text with its translation.
 * @param {(key: string) => string} translate
 * @param {ParentNode} [root]
 */
export function translateStatic(translate, root = document) {
  /** @type {NodeListOf<HTMLElement>} */
  const elements = root.querySelectorAll('[data-i18n]');
  // The selector matched the attribute, so `dataset.i18n` is there.
  for (const element of elements) element.textContent = translate(/** @type {string} */ (element.dataset.i18n));
}

/**
 * Marks the language buttons and the document for `lang`, and keeps `?lang=` in the address (a reload keeps it).
 * @param {string} lang
 */
export function applyLanguage(lang) {
  document.documentElement.lang = lang;
  /** @type {NodeListOf<HTMLElement>} */
  const buttons = document.querySelectorAll('[data-lang]');
  for (const button of buttons) button.setAttribute('aria-pressed', String(button.dataset.lang === lang));
  const url = new URL(window.location.href);
  url.searchParams.set('lang', lang);
  window.history.replaceState(null, '', url);
}

/**
 * @param {number} ms
 * @returns {Promise<void>}
 */
export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * sessionStorage, or undefined where the browser refuses it.
 * @returns {Storage | undefined}
 */
export function sessionStore() {
  try {
    return window.sessionStorage;
  } catch {
    return undefined;
  }
}

/**
 * Runs `render` and gives focus back to the control that had it (matched by `data-focus-key`), or to
 * `fallback` when that control is gone, so keyboard users never lose their place when a list is redrawn.
 * @param {() => void} render
 * @param {HTMLElement | null} [fallback]
 */
export function keepingFocus(render, fallback) {
  const active = document.activeElement;
  const key = active instanceof HTMLElement ? active.dataset.focusKey : undefined;
  render();
  if (!key) return;
  const again = document.querySelector(`[data-focus-key="${CSS.escape(key)}"]`);
  if (again instanceof HTMLElement && !again.hasAttribute('disabled')) again.focus();
  else fallback?.focus();
}
