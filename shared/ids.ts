import { createHash, randomBytes } from 'node:crypto';

/**
 * Order ids sort by creation time (a 9-character base-36 millisecond clock, then randomness), so the
 * newest orders come first when listed in reverse, and ids stay short in URLs.
 */
export function newOrderId(now: Date): string {
  const time = now.getTime().toString(36).padStart(9, '0');
  return `${time}${randomBytes(8).toString('hex')}`;
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
