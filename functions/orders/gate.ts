import { menuItem } from '../../shared/menu';
import { orderBrewSeconds, type StoreSettings } from '../../shared/storeSettings';

/**
 * Whether a store takes an order now, decided from its settings (and, for the limits, its open orders)
 * without I/O. A refusal names its problem type: 409 `store-closed` and `item-unavailable` stay until
 * staff change the settings; 429 `store-busy` passes as orders finish, so it carries a Retry-After.
 */
export type Refusal =
  | { kind: 'store-closed'; status: 409 }
  | { kind: 'item-unavailable'; status: 409; items: string[] }
  | { kind: 'store-busy'; status: 429; limit: 'orders-in-flight' | 'orders-per-customer'; max: number; retryAfterSeconds: number };

type Items = readonly { menuItemId: string; quantity: number }[];

/** The refusals the settings alone decide: a closed store, a sold-out drink. */
export function refuseBySettings(settings: StoreSettings, items: Items): Refusal | undefined {
  if (!settings.open) return { kind: 'store-closed', status: 409 };
  const soldOut = [...new Set(items.map((item) => item.menuItemId))].filter((id) => settings.unavailable.includes(id));
  if (soldOut.length > 0) return { kind: 'item-unavailable', status: 409, items: soldOut };
  return undefined;
}

/** Whether the store caps its load, so intake must count its open orders (one query) before taking one. */
export function hasLoadLimits(settings: StoreSettings): boolean {
  return settings.maxOrdersInFlight !== null || settings.maxOpenOrdersPerCustomer !== null;
}

/** The store's orders not yet final, as far as intake counted them (see openCounts.ts). */
export interface OpenCounts {
  inStore: number;
  ofCustomer: number;
}

/** Never tell a client to come back sooner than this, or later. */
const RETRY_AFTER_MIN_SECONDS = 1;
const RETRY_AFTER_MAX_SECONDS = 300;

/**
 * When a place is likely free again. An open order leaves the count when it completes, and the machines
 * work through the queue first in, first out; the orders ahead are taken to be about this order's size,
 * so the first of the `ahead` orders past the cap finishes after roughly `ahead / machines` order
 * brewing times. An estimate to spread retries, not a promise: bounded to 1..300 s.
 */
export function retryAfterSeconds(settings: StoreSettings, items: Items, defaultBrewSeconds: number, ahead: number): number {
  const perOrder = orderBrewSeconds(settings, items, defaultBrewSeconds);
  const rounds = Math.ceil(Math.max(1, ahead) / Math.max(1, settings.machines ?? 1));
  return Math.min(RETRY_AFTER_MAX_SECONDS, Math.max(RETRY_AFTER_MIN_SECONDS, Math.ceil(perOrder * rounds)));
}

/** The refusals the store's load decides: too many orders in flight, or too many of this customer's. */
export function refuseByLoad(settings: StoreSettings, counts: OpenCounts, items: Items, defaultBrewSeconds: number): Refusal | undefined {
  const { maxOrdersInFlight: inFlight, maxOpenOrdersPerCustomer: perCustomer } = settings;
  if (inFlight !== null && counts.inStore >= inFlight) {
    const retry = retryAfterSeconds(settings, items, defaultBrewSeconds, counts.inStore - inFlight + 1);
    return { kind: 'store-busy', status: 429, limit: 'orders-in-flight', max: inFlight, retryAfterSeconds: retry };
  }
  if (perCustomer !== null && counts.ofCustomer >= perCustomer) {
    // The customer's own oldest order has to finish first; the store's queue is ahead of it.
    const retry = retryAfterSeconds(settings, items, defaultBrewSeconds, Math.max(counts.inStore, counts.ofCustomer));
    return { kind: 'store-busy', status: 429, limit: 'orders-per-customer', max: perCustomer, retryAfterSeconds: retry };
  }
  return undefined;
}

/** The refusal as problem fields: the HTTP glue turns them into problem+json. */
export function describeRefusal(refusal: Refusal, storeId: string): { slug: string; title: string; detail: string; errors?: { path: string; message: string }[] } {
  switch (refusal.kind) {
    case 'store-closed':
      return { slug: 'store-closed', title: 'Store closed', detail: `Store ${storeId} is closed and takes no orders now.` };
    case 'item-unavailable': {
      const names = refusal.items.map((id) => menuItem(id)?.name ?? id);
      return {
        slug: 'item-unavailable',
        title: 'Item unavailable',
        detail: `Sold out in store ${storeId}: ${names.join(', ')}.`,
        errors: refusal.items.map((id) => ({ path: 'items', message: `${id} is sold out` })),
      };
    }
    case 'store-busy':
      return refusal.limit === 'orders-in-flight'
        ? { slug: 'store-busy', title: 'Store busy', detail: `Store ${storeId} has ${refusal.max} orders in progress, its limit; try again in about ${refusal.retryAfterSeconds} s.` }
        : {
            slug: 'store-busy',
            title: 'Too many open orders',
            detail: `You already have ${refusal.max} open order(s) in store ${storeId}, its limit per customer; try again once one is ready (about ${refusal.retryAfterSeconds} s).`,
          };
    default: {
      const unknown: never = refusal;
      return unknown;
    }
  }
}
