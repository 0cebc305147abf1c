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

/**
 * The time bucket of an order id: its first five characters, a countdown step of 36^4 ms (about 28
 * minutes). Rows keyed by order id live in their bucket's partition, so one batch's rows (orders placed
 * around the same time) share a partition and go in one transaction, and a point read needs nothing but
 * the id. Finished orders leave the hot partition as time moves on.
 */
export function orderBucket(orderId: string): string {
  return orderId.slice(0, 5);
}

/** The bucket after `bucket` in key order: older orders (ids count down). */
export function olderBucket(bucket: string): string {
  return (parseInt(bucket, 36) + 1).toString(36).padStart(bucket.length, '0');
}

/** When an order id was made (its countdown), or undefined for an id this app did not make. */
export function orderTime(orderId: string): Date | undefined {
  if (!/^[0-9a-z]{25}$/.test(orderId)) return undefined;
  return new Date(ID_CLOCK_END - parseInt(orderId.slice(0, 9), 36));
}
