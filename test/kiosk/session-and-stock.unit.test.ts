import { webcrypto } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { itemsText, lowStockText, parseStockForm, RESTOCK_LIMITS, SET_LIMITS, stockRows } from '../../functions/kiosk/web/stock.js';
import { CUSTOMER_KEY, customerIdFor, newIdempotencyKey, randomToken, storeFromSearch, type KeyValueStorage } from '../../functions/kiosk/web/session.js';
import { MENU } from '../../shared/menu';
import { Restock, SetStock } from '../../functions/inventory/api';

class MemoryStorage implements KeyValueStorage {
  readonly values = new Map<string, string>();
  getItem(key: string) {
    return this.values.get(key) ?? null;
  }
  setItem(key: string, value: string) {
    this.values.set(key, value);
  }
}

const refusing: KeyValueStorage = {
  getItem() {
    throw new Error('SecurityError');
  },
  setItem() {
    throw new Error('QuotaExceededError');
  },
};

describe('the kiosk session', () => {
  it('takes the store from ?store= when it is a valid store id, else main', () => {
    expect(storeFromSearch('?store=gangnam-2')).toBe('gangnam-2');
    expect(storeFromSearch('')).toBe('main');
    expect(storeFromSearch('?store=')).toBe('main');
    expect(storeFromSearch('?store=Not%20Valid')).toBe('main');
    expect(storeFromSearch(`?store=${'a'.repeat(41)}`)).toBe('main');
    expect(storeFromSearch(undefined)).toBe('main');
  });

  it('keeps one customer id per kiosk session', () => {
    const storage = new MemoryStorage();
    const first = customerIdFor(storage, webcrypto);
    expect(first).toMatch(/^kiosk-[a-z0-9]{12}$/);
    expect(storage.values.get(CUSTOMER_KEY)).toBe(first);
    expect(customerIdFor(storage, webcrypto)).toBe(first);
    expect(customerIdFor(new MemoryStorage(), webcrypto)).not.toBe(first);
  });

  it('replaces a stored id that is not one of ours, and works without storage', () => {
    const storage = new MemoryStorage();
    storage.setItem(CUSTOMER_KEY, 'x'.repeat(100));
    expect(customerIdFor(storage, webcrypto)).toMatch(/^kiosk-[a-z0-9]{12}$/);
    expect(customerIdFor(refusing, webcrypto)).toMatch(/^kiosk-[a-z0-9]{12}$/);
    expect(customerIdFor(undefined, webcrypto)).toMatch(/^kiosk-[a-z0-9]{12}$/);
  });

  it('makes idempotency keys within the contract’s 1..100 characters, also where randomUUID is missing', () => {
    const uuid = newIdempotencyKey(webcrypto);
    expect(uuid).toMatch(/^[0-9a-f-]{36}$/);
    expect(newIdempotencyKey(webcrypto)).not.toBe(uuid);
    const plainHttp = { getRandomValues: webcrypto.getRandomValues.bind(webcrypto) };
    const fallback = newIdempotencyKey(plainHttp);
    expect(fallback).toMatch(/^kiosk-[a-z0-9]{32}$/);
    expect(fallback.length).toBeLessThanOrEqual(100);
    const refusingUuid = { ...plainHttp, randomUUID: () => { throw new Error('not a secure context'); } };
    expect(newIdempotencyKey(refusingUuid)).toMatch(/^kiosk-/);
    expect(randomToken(webcrypto, 5)).toMatch(/^[a-z0-9]{5}$/);
  });
});

describe('the staff page’s stock and forms', () => {
  const stocks = [
    { storeId: 'north', cups: 40, updatedAt: '2026-11-25T10:00:00.000Z' },
    { storeId: 'main', cups: 3, updatedAt: '2026-11-25T10:01:00.000Z' },
  ];

  it('lists stores sorted, marks low stock, and shows a store that was never set as 0', () => {
    const rows = stockRows(stocks, 5, ['main', 'south']);
    expect(rows.map((r) => [r.storeId, r.cups, r.low, r.notSet])).toEqual([
      ['main', 3, true, false],
      ['north', 40, false, false],
      ['south', 0, true, true],
    ]);
    expect(lowStockText(rows)).toBe('main (3), south (0)');
    expect(lowStockText(stockRows(stocks, 2))).toBe('');
  });

  it("takes the server's low and threshold over the page's default, store by store", () => {
    const fromServer = [
      { storeId: 'big', cups: 15, low: true, lowStockCups: 20 },
      { storeId: 'tiny', cups: 3, low: false, lowStockCups: 0 },
    ];
    const rows = stockRows(fromServer, 5);
    expect(rows.map((r) => [r.storeId, r.low])).toEqual([
      ['big', true],
      ['tiny', false],
    ]);
    expect(lowStockText(rows)).toBe('big (15)');
    expect(stockRows(undefined, 5)).toEqual([]);
  });

  it('checks the set and restock forms against the inventory routes’ limits', () => {
    expect(parseStockForm(' main ', '12', SET_LIMITS)).toEqual({ ok: true, storeId: 'main', cups: 12 });
    expect(parseStockForm('main', '0', SET_LIMITS)).toMatchObject({ ok: true, cups: 0 });
    expect(parseStockForm('main', '0', RESTOCK_LIMITS)).toMatchObject({ ok: false, field: 'cups', key: 'staff.invalidCups', params: { min: 1, max: 1_000_000 } });
    expect(parseStockForm('main', '1000001', SET_LIMITS)).toMatchObject({ ok: false, field: 'cups' });
    expect(parseStockForm('main', '2.5', SET_LIMITS)).toMatchObject({ ok: false, field: 'cups' });
    expect(parseStockForm('main', '-1', SET_LIMITS)).toMatchObject({ ok: false, field: 'cups' });
    expect(parseStockForm('main', '', SET_LIMITS)).toMatchObject({ ok: false, field: 'cups' });
    expect(parseStockForm('Main Store', '5', SET_LIMITS)).toMatchObject({ ok: false, field: 'storeId', key: 'staff.invalidStore' });
    expect(parseStockForm('', '5', SET_LIMITS)).toMatchObject({ ok: false, field: 'storeId' });
  });

  it('bounds the forms exactly as the inventory routes do, so the page neither refuses what the server takes nor sends what it refuses', () => {
    for (const [limits, schema] of [[SET_LIMITS, SetStock], [RESTOCK_LIMITS, Restock]] as const) {
      expect(schema.safeParse({ cups: limits.min }).success).toBe(true);
      expect(schema.safeParse({ cups: limits.max }).success).toBe(true);
      expect(schema.safeParse({ cups: limits.min - 1 }).success).toBe(false);
      expect(schema.safeParse({ cups: limits.max + 1 }).success).toBe(false);
    }
  });

  it('writes an order’s items with the drinks’ names in the language', () => {
    const items = [
      { menuItemId: 'americano', quantity: 2 },
      { menuItemId: 'mystery', quantity: 1 },
    ];
    expect(itemsText(items, MENU, 'en')).toBe('Americano ×2, mystery ×1');
    expect(itemsText(items, MENU, 'ko')).toBe('아메리카노 ×2, mystery ×1');
    expect(itemsText(undefined, MENU, 'en')).toBe('');
  });
});
