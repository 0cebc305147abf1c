import { describe, expect, it } from 'vitest';
import { newOrderId, newestFirstKey } from '../../shared/ids';

describe('order ids', () => {
  it('sort newest first, so a listing can stop after the first rows', () => {
    const older = newOrderId(new Date('2026-11-25T10:00:00.000Z'));
    const newer = newOrderId(new Date('2026-11-25T10:00:00.001Z'));
    const muchNewer = newOrderId(new Date('2030-01-01T00:00:00.000Z'));
    expect([older, muchNewer, newer].sort()).toEqual([muchNewer, newer, older]);
  });

  it('are short, lower-case and safe in a URL and as a table key', () => {
    expect(newOrderId(new Date())).toMatch(/^[a-z0-9]{25}$/);
  });

  it('board keys list the newest first as well', () => {
    expect(newestFirstKey(new Date('2026-01-02'), 'b') < newestFirstKey(new Date('2026-01-01'), 'a')).toBe(true);
  });
});
