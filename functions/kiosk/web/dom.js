// Tiny DOM helpers shared by the two pages (no framework; the pages are small).
// The kiosk code is ES2020 with DOM APIs of Chromium 80 and earlier (older kiosk WebViews): no `??=`,
// no `replaceChildren` (test/kiosk/compat.unit.test.ts checks this).

export const $ = (selector, root = document) => root.querySelector(selector);

/** An element with attributes (`class`, `data-*`, `aria-*`, ...), properties for `hidden`/`disabled`, and children. */
export function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
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
 */
export function setChildren(element, ...children) {
  while (element.firstChild) element.removeChild(element.firstChild);
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    element.append(child);
  }
}

/** Fills every `[data-i18n]` element's text with its translation. */
export function translateStatic(translate, root = document) {
  for (const element of root.querySelectorAll('[data-i18n]')) element.textContent = translate(element.dataset.i18n);
}

/** Marks the language buttons and the document for `lang`, and keeps `?lang=` in the address (a reload keeps it). */
export function applyLanguage(lang) {
  document.documentElement.lang = lang;
  for (const button of document.querySelectorAll('[data-lang]')) button.setAttribute('aria-pressed', String(button.dataset.lang === lang));
  const url = new URL(window.location.href);
  url.searchParams.set('lang', lang);
  window.history.replaceState(null, '', url);
}

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** sessionStorage, or undefined where the browser refuses it. */
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
