import { describe, expect, it } from 'vitest';
import { describeRefusal, hasLoadLimits, refuseByLoad, refuseBySettings, retryAfterSeconds } from '../../functions/orders/gate';
import { DEFAULT_STORE_SETTINGS, type StoreSettings } from '../../shared/storeSettings';

const settings = (changes: Partial<StoreSettings>): StoreSettings => ({ ...DEFAULT_STORE_SETTINGS, ...changes });
const americano = [{ menuItemId: 'americano', quantity: 1 }];
const BREW = 3;

describe('what the settings alone refuse', () => {
  it('takes any order in a store never configured, and needs no count for it', () => {
    expect(refuseBySettings(DEFAULT_STORE_SETTINGS, americano)).toBeUndefined();
    expect(hasLoadLimits(DEFAULT_STORE_SETTINGS)).toBe(false);
  });

  it('refuses every order while the store is closed', () => {
    expect(refuseBySettings(settings({ open: false }), americano)).toEqual({ kind: 'store-closed', status: 409 });
  });

  it('refuses an order with a sold-out drink and names each such drink once', () => {
    const refusal = refuseBySettings(settings({ unavailable: ['iced-tea', 'cafe-latte'] }), [
      { menuItemId: 'americano', quantity: 1 },
      { menuItemId: 'iced-tea', quantity: 2 },
      { menuItemId: 'iced-tea', quantity: 1 },
    ]);
    expect(refusal).toEqual({ kind: 'item-unavailable', status: 409, items: ['iced-tea'] });
    expect(describeRefusal(refusal!, 'main')).toMatchObject({ slug: 'item-unavailable', detail: 'Sold out in store main: Iced Tea.' });
  });

  it('takes an order of drinks still on sale in a store with others sold out', () => {
    expect(refuseBySettings(settings({ unavailable: ['iced-tea'] }), americano)).toBeUndefined();
  });
});

describe('what the store’s load refuses', () => {
  it('counts only when a limit is set', () => {
    expect(hasLoadLimits(settings({ maxOrdersInFlight: 5 }))).toBe(true);
    expect(hasLoadLimits(settings({ maxOpenOrdersPerCustomer: 1 }))).toBe(true);
    expect(hasLoadLimits(settings({ machines: 2, unavailable: ['iced-tea'] }))).toBe(false);
  });

  it('takes orders below the in-flight cap and refuses at it, with a time to come back', () => {
    const capped = settings({ maxOrdersInFlight: 3 });
    expect(refuseByLoad(capped, { inStore: 2, ofCustomer: 0 }, americano, BREW)).toBeUndefined();
    expect(refuseByLoad(capped, { inStore: 3, ofCustomer: 0 }, americano, BREW)).toEqual({
      kind: 'store-busy',
      status: 429,
      limit: 'orders-in-flight',
      max: 3,
      retryAfterSeconds: 3,
    });
  });

  it('refuses a customer at their own cap while the store has room', () => {
    const capped = settings({ maxOrdersInFlight: 10, maxOpenOrdersPerCustomer: 1 });
    expect(refuseByLoad(capped, { inStore: 4, ofCustomer: 0 }, americano, BREW)).toBeUndefined();
    expect(refuseByLoad(capped, { inStore: 4, ofCustomer: 1 }, americano, BREW)).toMatchObject({ kind: 'store-busy', limit: 'orders-per-customer', max: 1 });
  });

  it('describes each cap in its own words, both as store-busy', () => {
    const store = describeRefusal({ kind: 'store-busy', status: 429, limit: 'orders-in-flight', max: 3, retryAfterSeconds: 6 }, 'main');
    const customer = describeRefusal({ kind: 'store-busy', status: 429, limit: 'orders-per-customer', max: 1, retryAfterSeconds: 6 }, 'main');
    expect([store.slug, customer.slug]).toEqual(['store-busy', 'store-busy']);
    expect(store.title).toBe('Store busy');
    expect(customer.title).toBe('Too many open orders');
  });
});

describe('when to come back', () => {
  it('grows with the orders ahead, shrinks with the machines, and uses the store’s own brewing times', () => {
    const store = settings({ brewSeconds: { americano: 20 } });
    expect(retryAfterSeconds(store, americano, BREW, 1)).toBe(20);
    expect(retryAfterSeconds(store, americano, BREW, 4)).toBe(80);
    expect(retryAfterSeconds({ ...store, machines: 2 }, americano, BREW, 4)).toBe(40);
  });

  it('is at least a second and at most five minutes', () => {
    expect(retryAfterSeconds(settings({ brewSeconds: { americano: 0 } }), americano, BREW, 1)).toBe(1);
    expect(retryAfterSeconds(settings({ brewSeconds: { americano: 600 } }), americano, BREW, 9)).toBe(300);
  });
});
