import { createHash, randomBytes } from 'node:crypto';

/** The largest 9-digit base-36 number, as milliseconds: about 3,200 years of ids. */
const ID_CLOCK_END = 36 ** 9 - 1;

/**
 * Order ids sort newest first (a 9-character base-36 countdown of milliseconds, then randomness).
 * Table Storage returns rows in key order, so "the latest N orders" is the first N rows found, not a
 * scan of every order ever placed; and ids stay short in URLs.
 */
export function newOrderId(now: Date): string {
  const countdown = (ID_CLOCK_END - now.getTime()).toString(36).padStart(9, '0');
  return `${countdown}${randomBytes(8).toString('hex')}`;
}

/** A Table Storage key cannot hold '/', '\\', '#', '?' or control characters: hash free text. */
export function keyFor(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** Row keys that list newest first: Table Storage returns rows in ascending key order. */
export function newestFirstKey(at: Date, suffix: string): string {
  const inverted = (8_640_000_000_000_000 - at.getTime()).toString().padStart(16, '0');
  return `${inverted}_${suffix}`;
}
