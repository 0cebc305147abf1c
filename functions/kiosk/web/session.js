// Which store the kiosk serves, who its customer is, and keys that make a double tap order only once.

/**
 * `window.crypto`, or a stand-in for it in the tests.
 * @typedef {{ getRandomValues(array: Uint8Array): unknown, randomUUID?: () => string }} RandomSource
 */
/**
 * `sessionStorage`, or a stand-in for it in the tests.
 * @typedef {{ getItem(key: string): string | null, setItem(key: string, value: string): void }} KeyValueStorage
 */

const STORE_ID = /^[a-z0-9-]{1,40}$/;
export const DEFAULT_STORE = 'main';
export const CUSTOMER_KEY = 'unmanned-cafe.customerId';

/**
 * `?store=` when it is a valid store id (API.md: `[a-z0-9-]{1,40}`), else `main`.
 * @param {string | undefined} search
 * @returns {string}
 */
export function storeFromSearch(search) {
  const store = new URLSearchParams(search ?? '').get('store');
  return store && STORE_ID.test(store) ? store : DEFAULT_STORE;
}

const ALPHABET = '0123456789abcdefghijklmnopqrstuvwxyz';

/**
 * `length` random characters of a-z0-9 from `getRandomValues` (which, unlike randomUUID, also works over plain http).
 * @param {RandomSource} cryptoLike
 * @param {number} [length]
 * @returns {string}
 */
export function randomToken(cryptoLike, length = 12) {
  const bytes = new Uint8Array(length);
  cryptoLike.getRandomValues(bytes);
  return Array.from(bytes, (b) => ALPHABET[b % ALPHABET.length]).join('');
}

/**
 * The customer id of this kiosk session: kept in sessionStorage so a reload keeps it, new for a new
 * session. Works without storage too (private mode, storage full): then it lasts as long as the page.
 * @param {KeyValueStorage | undefined} storage
 * @param {RandomSource} cryptoLike
 * @returns {string}
 */
export function customerIdFor(storage, cryptoLike) {
  try {
    const saved = storage?.getItem(CUSTOMER_KEY);
    if (saved && /^kiosk-[a-z0-9]{6,40}$/.test(saved)) return saved;
  } catch {
    // storage unavailable: fall through to a fresh id
  }
  const id = `kiosk-${randomToken(cryptoLike)}`;
  try {
    storage?.setItem(CUSTOMER_KEY, id);
  } catch {
    // not kept; fine for one page view
  }
  return id;
}

/**
 * An Idempotency-Key for one cart submission (1..100 characters per API.md).
 * @param {RandomSource} cryptoLike
 * @returns {string}
 */
export function newIdempotencyKey(cryptoLike) {
  if (typeof cryptoLike.randomUUID === 'function') {
    try {
      return cryptoLike.randomUUID();
    } catch {
      // randomUUID exists but is refused outside a secure context in some browsers
    }
  }
  return `kiosk-${randomToken(cryptoLike, 32)}`;
}
