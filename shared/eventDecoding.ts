import { CafeEvent, EVENT_TYPES } from './events';

/**
 * How a message body becomes an event, for every reader of the hub: the app's consumers (shared/consumer.ts)
 * and the operator's `npm run events` tool, so both accept, skip and reject exactly the same messages.
 *   - `event`: a valid event of a known type;
 *   - `unknown-type`: a type this version does not know (a newer producer): skipped with a warning, never an error;
 *   - `invalid`: anything else (not JSON, no type, a known type that fails its schema).
 */
export type DecodedEvent =
  | { kind: 'event'; event: CafeEvent; value: unknown; type: string; id: string }
  | { kind: 'unknown-type'; value: unknown; type: string; id?: string }
  | { kind: 'invalid'; value: unknown; error: Error; type?: string; id?: string };

/** The body as JSON when it is JSON text (a string or bytes), else as it came. */
export function decodeBody(raw: unknown): unknown {
  const text = Buffer.isBuffer(raw) ? raw.toString('utf8') : raw instanceof Uint8Array ? Buffer.from(raw).toString('utf8') : raw;
  if (typeof text !== 'string') return text;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

export function typeOf(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const type = (value as { type?: unknown }).type;
  return typeof type === 'string' ? type : undefined;
}

export function idOf(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const id = (value as { id?: unknown }).id;
  return typeof id === 'string' ? id : undefined;
}

const KNOWN = new Set<string>(EVENT_TYPES);

export function isKnownType(type: string): boolean {
  return KNOWN.has(type);
}

export function decodeEvent(raw: unknown): DecodedEvent {
  return eventFromBody(decodeBody(raw));
}

/** `decodeEvent` of a body already decoded (by `decodeBody`), for a reader that looked at its type first. */
export function eventFromBody(value: unknown): DecodedEvent {
  const type = typeOf(value);
  const id = idOf(value);
  if (type !== undefined && !KNOWN.has(type)) return { kind: 'unknown-type', value, type, ...(id ? { id } : {}) };
  const parsed = CafeEvent.safeParse(value);
  if (!parsed.success) {
    return { kind: 'invalid', value, error: new Error(`invalid event: ${parsed.error.message}`), ...(type ? { type } : {}), ...(id ? { id } : {}) };
  }
  return { kind: 'event', event: parsed.data, value, type: parsed.data.type, id: parsed.data.id };
}
