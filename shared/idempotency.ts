import { z } from 'zod';
import { keyFor } from './identifiers';
import { problem } from './http';

/**
 * Idempotency-Key bookkeeping shared by the routes that honour the header: what a key stands for is
 * decided here, without storage; each route keeps its key rows where its own guarantees need them.
 */
export interface KeyRecord {
  /** A hash of the request the key was first used with. */
  fingerprint: string;
  /** After this instant the key is forgotten: using it again is a new request. */
  expiresAt: string;
}

/** The `Idempotency-Key` header's value. */
export const IdempotencyKeyHeader = z.string().min(1).max(100);

export type KeyDecision = 'repeat' | 'mismatch' | 'expired';

/** A hash of the meaningful parts of a request; callers pass them in a fixed order (an array). */
export function fingerprintOf(parts: readonly unknown[]): string {
  return keyFor(JSON.stringify(parts));
}

export function expiryFrom(now: Date, ttlHours: number): string {
  return new Date(now.getTime() + ttlHours * 3_600_000).toISOString();
}

/** What a key already on record means for a request with this fingerprint at `now`. */
export function decideKey(record: KeyRecord, fingerprint: string, now: Date): KeyDecision {
  if (Date.parse(record.expiresAt) <= now.getTime()) return 'expired';
  return record.fingerprint === fingerprint ? 'repeat' : 'mismatch';
}

export const keyReused = () =>
  problem(
    422,
    'idempotency-key-reused',
    'Idempotency-Key reused',
    'This Idempotency-Key was already used with a different request body; use a new key for a new request.',
  );
