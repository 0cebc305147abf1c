import { createHash, randomBytes } from 'node:crypto';
import { z } from 'zod';

/** The shapes of the contract's identifiers, one definition for HTTP input and events alike. */
export const StoreId = z.string().regex(/^[a-z0-9-]{1,40}$/, 'A store id is 1 to 40 characters of a-z, 0-9 and -');

/**
 * What an erased customer id is replaced with (orders and brewing jobs keep their figures). Clients
 * may not use it, so it never names a real customer.
 */
export const ERASED_CUSTOMER = '~erased';
/** Any customer id the services may hold, the erased marker included (events, rows). */
export const StoredCustomerId = z.string().min(1).max(64);
/** A customer id a client sends. */
export const CustomerId = StoredCustomerId.refine((id) => id !== ERASED_CUSTOMER, 'This customer id is reserved');

/** Ids this app generates (see newOrderId); anything else names no order. */
export const OrderId = z.string().regex(/^[a-z0-9]{1,64}$/, 'Not an order id');
/** `limit` of a listing route. */
export const ListLimit = z.coerce.number().int().min(1).max(1000).default(100);

/** The largest 9-digit base-36 number, as milliseconds: about 3,200 years of ids. */
const ID_CLOCK_END = 36 ** 9 - 1;
/** 96 random bits: the pickup code shows 16 of them, so 80 stay secret to whoever holds the id. */
const ORDER_ID_RANDOM_BYTES = 12;

/**
 * Order ids sort newest first (a 9-character base-36 countdown of milliseconds, then randomness).
 * Table Storage returns rows in key order, so "the latest N orders" is the first N rows found, not a
 * scan of every order ever placed; and ids stay short in URLs. The id is also the customer's only
 * key to their order (reading it, cancelling it, its notifications), so its random part must not be
 * guessable: 80 bits that nobody but the customer ever sees.
 */
export function newOrderId(now: Date): string {
  const countdown = (ID_CLOCK_END - now.getTime()).toString(36).padStart(9, '0');
  return `${countdown}${randomBytes(ORDER_ID_RANDOM_BYTES).toString('hex')}`;
}

/** The short code a customer reads on the pickup board and in the notifications: the id's last four characters. */
export const pickupCode = (orderId: string) => orderId.slice(-4).toUpperCase();

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

/**
 * When an order id was made (its countdown), or undefined for an id this app did not make. Ids made
 * before the random part grew to 96 bits carry 64, so both lengths count.
 */
export function orderTime(orderId: string): Date | undefined {
  if (!/^[0-9a-z]{9}(?:[0-9a-f]{16}|[0-9a-f]{24})$/.test(orderId)) return undefined;
  return new Date(ID_CLOCK_END - parseInt(orderId.slice(0, 9), 36));
}
