import { describe, expect, it } from 'vitest';
import { CustomerId, ERASED_CUSTOMER, OrderId, newOrderId, newestFirstKey, pickupCode } from '../../shared/identifiers';

describe('order ids', () => {
  it('sort newest first, so a listing can stop after the first rows', () => {
    const older = newOrderId(new Date('2026-11-25T10:00:00.000Z'));
    const newer = newOrderId(new Date('2026-11-25T10:00:00.001Z'));
    const muchNewer = newOrderId(new Date('2030-01-01T00:00:00.000Z'));
    expect([older, muchNewer, newer].sort()).toEqual([muchNewer, newer, older]);
  });

  it('are short, lower-case and safe in a URL and as a table key, within the OrderId schema', () => {
    const id = newOrderId(new Date());
    expect(id).toMatch(/^[a-z0-9]{33}$/);
    expect(OrderId.safeParse(id).success).toBe(true);
  });

  it('carry at least 80 random bits besides the four characters the pickup board shows', () => {
    const at = new Date('2026-11-25T10:00:00.000Z');
    const ids = Array.from({ length: 200 }, () => newOrderId(at));
    const random = ids.map((id) => id.slice(9));
    // Hex: 4 bits a character. What the board shows is not secret.
    const secretBits = (random[0]!.length - pickupCode(ids[0]!).length) * 4;
    expect(secretBits).toBeGreaterThanOrEqual(80);
    // And it is random: the same millisecond gives 200 different ids, differing in their secret part.
    expect(new Set(random.map((r) => r.slice(0, -4))).size).toBe(200);
  });

  it('board keys list the newest first as well', () => {
    expect(newestFirstKey(new Date('2026-01-02'), 'b') < newestFirstKey(new Date('2026-01-01'), 'a')).toBe(true);
  });
});

describe('customer ids', () => {
  it('refuse the marker that replaces an erased customer id', () => {
    expect(CustomerId.safeParse('c-1').success).toBe(true);
    expect(CustomerId.safeParse(ERASED_CUSTOMER).success).toBe(false);
  });
});
