// Small fetch helpers for the function app's JSON API (same origin; routes at the root).
// Errors are RFC 9457 problem+json: `{ title, detail, errors? }`.

/**
 * An RFC 9457 problem as the API sends it.
 * @typedef {{ type?: string, title?: string, detail?: string, errors?: unknown }} Problem
 */

const TIMEOUT_MS = 10000;

// The staff page's bearer token (the kiosk has none: customers are anonymous).
/** @type {string | undefined} */
let bearer;
/** @param {string | undefined} token */
export function setBearer(token) {
  bearer = token || undefined;
}

export class ApiError extends Error {
  /**
   * @param {number} status
   * @param {Problem | undefined} problem
   * @param {string | null} [retryAfter] the `Retry-After` header of a 429 or 503, as sent
   */
  constructor(status, problem, retryAfter = null) {
    super(problem?.detail || problem?.title || `HTTP ${status}`);
    this.name = 'ApiError';
    this.status = status;
    this.problem = problem;
    this.retryAfter = retryAfter;
  }

  /** The last segment of the problem's `type` (`store-closed`, `store-busy`, ...), or undefined. */
  get kind() {
    return typeof this.problem?.type === 'string' ? this.problem.type.split('/').pop() : undefined;
  }
}

/**
 * The answer's JSON (undefined for 204), or an ApiError for any status that is not 2xx. What the JSON
 * holds is the contract's business: callers say which shape they expect.
 * @param {string} method
 * @param {string} url
 * @param {unknown} [body]
 * @param {Record<string, string>} [headers]
 * @returns {Promise<unknown>}
 */
async function call(method, url, body, headers = {}) {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), TIMEOUT_MS);
  try {
    const response = await fetch(url, {
      method,
      cache: 'no-store',
      headers: {
        accept: 'application/json',
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(bearer ? { authorization: `Bearer ${bearer}` } : {}),
        ...headers,
      },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: controller.signal,
    });
    if (!response.ok) {
      /** @type {Problem | undefined} */
      let problem;
      try {
        problem = await response.json();
      } catch {
        problem = undefined;
      }
      throw new ApiError(response.status, problem, response.headers.get('retry-after'));
    }
    return response.status === 204 ? undefined : await response.json();
  } finally {
    clearTimeout(timer);
  }
}

/** @param {string} url */
export const getJson = (url) => call('GET', url);

/**
 * GET that answers undefined for 404 (e.g. an order the read model has not seen yet).
 * @param {string} url
 * @returns {Promise<unknown>}
 */
export async function getJsonOr404(url) {
  try {
    return await call('GET', url);
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) return undefined;
    throw error;
  }
}

/**
 * @param {string} url
 * @param {unknown} body
 * @param {Record<string, string>} [headers]
 */
export const postJson = (url, body, headers) => call('POST', url, body, headers);
/**
 * @param {string} url
 * @param {unknown} body
 * @param {Record<string, string>} [headers]
 */
export const putJson = (url, body, headers) => call('PUT', url, body, headers);
/**
 * A JSON Merge Patch (only the fields to change; `null` resets one).
 * @param {string} url
 * @param {unknown} body
 */
export const patchJson = (url, body) => call('PATCH', url, body, { 'content-type': 'application/merge-patch+json' });
