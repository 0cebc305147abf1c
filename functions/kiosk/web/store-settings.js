// Store settings on the pages (GET /stores/{storeId}, PATCH as a JSON Merge Patch): pure functions
// the kiosk and the staff page import, and the unit tests too.

/**
 * A store's settings as GET /stores/{storeId} answers them (only what the pages read or change).
 * @typedef {object} StoreSettings
 * @property {boolean} open
 * @property {number | null} machines
 * @property {number | null} maxOrdersInFlight
 * @property {number | null} maxOpenOrdersPerCustomer
 * @property {number | null} lowStockCups
 * @property {string[]} unavailable
 * @property {Record<string, number>} brewSeconds
 * @property {string} timeZone
 */
/** What the settings form holds: every field as the inputs give it. */
/**
 * @typedef {object} SettingsForm
 * @property {boolean} open
 * @property {string} machines
 * @property {string} maxOrdersInFlight
 * @property {string} maxOpenOrdersPerCustomer
 * @property {string} lowStockCups
 * @property {string[]} unavailable
 * @property {Record<string, string>} brewSeconds
 * @property {string} timeZone
 */
/**
 * @typedef {{ ok: true, settings: StoreSettings }
 *   | { ok: false, field: string, key: string, params: Record<string, number> }} ParsedSettings
 */

/** @type {StoreSettings} */
export const DEFAULT_SETTINGS = Object.freeze({
  open: true,
  machines: null,
  maxOrdersInFlight: null,
  maxOpenOrdersPerCustomer: null,
  lowStockCups: null,
  unavailable: [],
  brewSeconds: {},
  timeZone: 'UTC',
});

/**
 * The settings from an answer, defaults for anything missing or of the wrong type (the kiosk keeps
 * selling if the answer is odd: the server refuses what it must anyway).
 * @param {unknown} answer
 * @returns {StoreSettings}
 */
export function readSettings(answer) {
  const a = /** @type {Record<string, unknown>} */ (answer && typeof answer === 'object' ? answer : {});
  /** @param {unknown} value */
  const limit = (value) => (typeof value === 'number' && Number.isFinite(value) ? value : null);
  const brew = a.brewSeconds && typeof a.brewSeconds === 'object' ? /** @type {Record<string, unknown>} */ (a.brewSeconds) : {};
  return {
    open: a.open !== false,
    machines: limit(a.machines),
    maxOrdersInFlight: limit(a.maxOrdersInFlight),
    maxOpenOrdersPerCustomer: limit(a.maxOpenOrdersPerCustomer),
    lowStockCups: limit(a.lowStockCups),
    unavailable: Array.isArray(a.unavailable) ? a.unavailable.filter((id) => typeof id === 'string') : [],
    brewSeconds: Object.fromEntries(Object.entries(brew).filter(([, s]) => typeof s === 'number' && Number.isFinite(s)).map(([id, s]) => [id, /** @type {number} */ (s)])),
    timeZone: typeof a.timeZone === 'string' && a.timeZone ? a.timeZone : DEFAULT_SETTINGS.timeZone,
  };
}

/**
 * Whether a drink can be ordered in the store now.
 * @param {StoreSettings | undefined} settings
 * @param {string} menuItemId
 */
export const isSoldOut = (settings, menuItemId) => settings !== undefined && settings.unavailable.includes(menuItemId);

/**
 * Seconds from a `Retry-After` header (a number of seconds or an HTTP date); undefined when absent or unreadable.
 * @param {string | null | undefined} header
 * @param {number} [now]
 * @returns {number | undefined}
 */
export function retryAfterSeconds(header, now = Date.now()) {
  if (!header) return undefined;
  const trimmed = header.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed);
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? undefined : Math.max(0, Math.ceil((at - now) / 1000));
}

/** The bounds the server checks, so the form can say what is wrong before sending. */
const LIMIT = { min: 1, max: 100000 };
const CUPS = { min: 0, max: 1000000 };
const SECONDS = { min: 0, max: 3600 };

/**
 * A whole number within bounds, or null for an empty box ("no limit" / "the default").
 * @param {string} text
 * @param {{ min: number, max: number }} bounds
 * @param {boolean} [whole]
 * @returns {number | null | undefined} undefined: not valid
 */
function numberOrNull(text, bounds, whole = true) {
  const trimmed = text.trim();
  if (trimmed === '') return null;
  const value = Number(trimmed);
  if (!Number.isFinite(value) || (whole && !Number.isInteger(value)) || value < bounds.min || value > bounds.max) return undefined;
  return value;
}

/**
 * Checks the staff form: an empty number box means "no limit" (or the app's default).
 * @param {SettingsForm} form
 * @returns {ParsedSettings}
 */
export function parseSettingsForm(form) {
  /** @type {Record<string, number | null>} */
  const limits = {};
  for (const field of /** @type {const} */ (['machines', 'maxOrdersInFlight', 'maxOpenOrdersPerCustomer'])) {
    const value = numberOrNull(form[field], LIMIT);
    if (value === undefined) return { ok: false, field, key: 'staff.settings.invalidNumber', params: LIMIT };
    limits[field] = value;
  }
  const lowStockCups = numberOrNull(form.lowStockCups, CUPS);
  if (lowStockCups === undefined) return { ok: false, field: 'lowStockCups', key: 'staff.settings.invalidNumber', params: CUPS };
  /** @type {Record<string, number>} */
  const brewSeconds = {};
  for (const [id, text] of Object.entries(form.brewSeconds)) {
    const value = numberOrNull(text, SECONDS, false);
    if (value === undefined) return { ok: false, field: `brew-${id}`, key: 'staff.settings.invalidNumber', params: SECONDS };
    if (value !== null) brewSeconds[id] = value;
  }
  const timeZone = form.timeZone.trim() || DEFAULT_SETTINGS.timeZone;
  return {
    ok: true,
    settings: {
      open: form.open,
      machines: limits.machines ?? null,
      maxOrdersInFlight: limits.maxOrdersInFlight ?? null,
      maxOpenOrdersPerCustomer: limits.maxOpenOrdersPerCustomer ?? null,
      lowStockCups,
      unavailable: [...form.unavailable].sort(),
      brewSeconds,
      timeZone,
    },
  };
}

/**
 * The JSON Merge Patch from `before` to `after`: only the fields that changed, `null` for a brewing time
 * removed (back to the app's default), so two staff changing different fields do not undo each other.
 * @param {StoreSettings} before
 * @param {StoreSettings} after
 * @returns {Record<string, unknown>} empty when nothing changed
 */
export function settingsPatch(before, after) {
  /** @type {Record<string, unknown>} */
  const patch = {};
  for (const field of /** @type {const} */ (['open', 'machines', 'maxOrdersInFlight', 'maxOpenOrdersPerCustomer', 'lowStockCups', 'timeZone'])) {
    if (before[field] !== after[field]) patch[field] = after[field];
  }
  const [was, is] = [[...before.unavailable].sort(), [...after.unavailable].sort()];
  const sameList = was.length === is.length && was.every((id, i) => id === is[i]);
  if (!sameList) patch.unavailable = after.unavailable;
  /** @type {Record<string, number | null>} */
  const brew = {};
  for (const id of new Set([...Object.keys(before.brewSeconds), ...Object.keys(after.brewSeconds)])) {
    const next = after.brewSeconds[id];
    if (before.brewSeconds[id] !== next) brew[id] = next === undefined ? null : next;
  }
  if (Object.keys(brew).length > 0) patch.brewSeconds = brew;
  return patch;
}
