import { describe, expect, it } from 'vitest';
import { ifMatchAllows, toHttpEtag } from '../../shared/etags';
import { idempotencyKeyAt } from '../../functions/orders/rows';
import { decideKey, expiryFrom, fingerprintOf } from '../../shared/idempotency';
import { newOrderId } from '../../shared/identifiers';

describe('what an Idempotency-Key on record means', () => {
  const now = new Date('2026-11-25T10:00:00.000Z');
  const record = { fingerprint: fingerprintOf(['main', 'c-1', [['americano', 2]]]), expiresAt: expiryFrom(now, 24) };

  it('the same body within the lifetime is a repeat, another body a mismatch', () => {
    expect(decideKey(record, fingerprintOf(['main', 'c-1', [['americano', 2]]]), now)).toBe('repeat');
    expect(decideKey(record, fingerprintOf(['main', 'c-1', [['americano', 3]]]), now)).toBe('mismatch');
  });

  it('from its expiry on, the key is free again, whatever the body', () => {
    const later = new Date(now.getTime() + 24 * 3_600_000);
    expect(decideKey(record, record.fingerprint, new Date(later.getTime() - 1))).toBe('repeat');
    expect(decideKey(record, record.fingerprint, later)).toBe('expired');
    expect(decideKey(record, fingerprintOf(['other']), later)).toBe('expired');
  });

  it('belongs to one customer: the same key of two customers is kept apart', () => {
    expect(idempotencyKeyAt('c-1', 'tap')).not.toEqual(idempotencyKeyAt('c-2', 'tap'));
    expect(idempotencyKeyAt('c-1', 'tap')).toEqual(idempotencyKeyAt('c-1', 'tap'));
    // No way to make one customer's key look like another's by moving characters across.
    expect(idempotencyKeyAt('c-1', '2tap')).not.toEqual(idempotencyKeyAt('c-12', 'tap'));
  });

  it('is stored after every order id, now and for the next thousand years', () => {
    for (const at of [new Date('2020-01-01'), new Date(), new Date('3026-01-01')]) {
      expect(idempotencyKeyAt('c-1', 'tap').partitionKey > newOrderId(at)).toBe(true);
    }
  });
});

describe('If-Match on the stock', () => {
  const tag = toHttpEtag(`W/"datetime'2026-11-25T10%3A00%3A00.0000000Z'"`);

  it('is a strong, opaque tag', () => {
    expect(tag).toMatch(/^"[A-Za-z0-9_-]+"$/);
  });

  it('allows the current tag, in a list too, and * when the stock exists', () => {
    expect(ifMatchAllows(tag, tag)).toBe(true);
    expect(ifMatchAllows(`"other", ${tag}`, tag)).toBe(true);
    expect(ifMatchAllows('*', tag)).toBe(true);
  });

  it('refuses another tag, a weak tag, and anything when the stock was never set', () => {
    expect(ifMatchAllows('"other"', tag)).toBe(false);
    expect(ifMatchAllows(`W/${tag}`, tag)).toBe(false);
    expect(ifMatchAllows('*', undefined)).toBe(false);
    expect(ifMatchAllows(tag, undefined)).toBe(false);
  });
});
