// Every request the campaign makes and what came back, as JSON lines, plus the in-memory facts the checker needs:
// each read of an order's status, and every answer that was a 5xx or no answer at all.
import { createWriteStream } from 'node:fs';

const SMALL = 400;

export class History {
  constructor(file) {
    this.file = file;
    this.stream = createWriteStream(file);
    /** orderId → [{ start, end, status }] where status is an order status or 404. */
    this.reads = new Map();
    /** Requests answered 5xx or not answered: { start, end, method, path, status?, error? }. */
    this.failures = [];
    this.requests = 0;
  }

  noteRead(orderId, start, end, status) {
    let list = this.reads.get(orderId);
    if (!list) this.reads.set(orderId, (list = []));
    list.push({ start, end, status });
  }

  write(entry) {
    this.stream.write(`${JSON.stringify(entry)}\n`);
  }

  close() {
    return new Promise((resolve) => this.stream.end(resolve));
  }
}

/**
 * One HTTP request over loopback, recorded. Never throws: a network error or a timeout comes back as
 * `{ status: undefined, error }`.
 */
export async function call(history, base, { client, method, path, body, key, orderId, timeoutMs = 30_000 }) {
  const headers = {};
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (key !== undefined) headers['idempotency-key'] = key;
  const start = Date.now();
  let status;
  let json;
  let error;
  try {
    const response = await fetch(base + path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(timeoutMs),
    });
    status = response.status;
    const text = await response.text();
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = text;
    }
  } catch (caught) {
    error = caught?.cause?.code ?? caught?.name ?? String(caught);
  }
  const end = Date.now();
  history.requests += 1;
  const id = orderId ?? (method === 'POST' && path === '/orders' && status === 202 ? json?.id : undefined);
  const small = json !== undefined && JSON.stringify(json).length <= SMALL ? json : undefined;
  history.write({ t: start, ms: end - start, client, method, path, status, error, key, orderId: id, body: small });
  if (error !== undefined || status >= 500) history.failures.push({ start, end, method, path, status, error });
  return { status, body: json, error, start, end };
}
