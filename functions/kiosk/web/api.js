// Small fetch helpers for the function app's JSON API (same origin; routes at the root).
// Errors are RFC 9457 problem+json: `{ title, detail, errors? }`.

const TIMEOUT_MS = 10000;

// The staff page's bearer token (the kiosk has none: customers are anonymous).
let bearer;
export function setBearer(token) {
  bearer = token || undefined;
}

export class ApiError extends Error {
  constructor(status, problem) {
    super(problem?.detail || problem?.title || `HTTP ${status}`);
    this.name = 'ApiError';
    this.status = status;
    this.problem = problem;
  }
}

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
      let problem;
      try {
        problem = await response.json();
      } catch {
        problem = undefined;
      }
      throw new ApiError(response.status, problem);
    }
    return response.status === 204 ? undefined : await response.json();
  } finally {
    clearTimeout(timer);
  }
}

export const getJson = (url) => call('GET', url);

/** GET that answers undefined for 404 (e.g. an order the read model has not seen yet). */
export async function getJsonOr404(url) {
  try {
    return await call('GET', url);
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) return undefined;
    throw error;
  }
}

export const postJson = (url, body, headers) => call('POST', url, body, headers);
export const putJson = (url, body, headers) => call('PUT', url, body, headers);
