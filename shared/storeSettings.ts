import type { TableClient } from '@azure/data-tables';
import { z } from 'zod';
import { MENU } from './menu';
import { getOrUndefined, table } from './tables';
import { TABLES } from './topology';

/**
 * A store's own operating settings, set by its staff with `PATCH /stores/{storeId}` and read by every
 * service that acts on them: intake (open, limits, sold-out drinks), inventory (low-stock threshold),
 * beverages (machines, brewing times) and the sales view (time zone). The stores service writes the
 * `stores` table; the others only read it, through `createStoreSettingsReader`.
 *
 * A store never configured is open with no limits of its own: every field has a default, and `null`
 * in a patch puts a field back to it (JSON Merge Patch).
 */
const MenuItemId = z.enum(MENU.map((m) => m.id) as [string, ...string[]]);
/** `null`: no limit. */
const Limit = z.number().int().min(1).max(100_000).nullable();
/** Seconds one drink takes on one machine. */
export const DrinkSeconds = z.number().min(0).max(3_600);

function isTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

export const TimeZone = z.string().min(1).max(64).refine(isTimeZone, 'Not an IANA time zone name (e.g. Asia/Seoul)');

export const StoreSettings = z.strictObject({
  /** A closed store refuses new orders (409 store-closed); orders already accepted go on. */
  open: z.boolean(),
  /** Drink machines: accepted orders wait first in, first out until one is free. `null`: unlimited. */
  machines: Limit,
  /** Orders accepted and not yet final; past it intake answers 429 store-busy. `null`: no cap. */
  maxOrdersInFlight: Limit,
  /** Orders one customer may have open in this store at once (429 store-busy past it). `null`: no cap. */
  maxOpenOrdersPerCustomer: Limit,
  /** Free cups at or below which the store is low on stock. `null`: the app's LOW_STOCK_CUPS. */
  lowStockCups: z.number().int().min(0).max(1_000_000).nullable(),
  /** Menu items sold out in this store (409 item-unavailable). */
  unavailable: z.array(MenuItemId).max(MENU.length).refine((ids) => new Set(ids).size === ids.length, 'Each menu item at most once'),
  /** Seconds one drink takes on one machine, per menu item; an item left out takes the app's BREW_SECONDS. */
  brewSeconds: z.partialRecord(MenuItemId, DrinkSeconds),
  /** The store's IANA time zone: its sales day runs from local midnight to local midnight. */
  timeZone: TimeZone,
});
export type StoreSettings = z.infer<typeof StoreSettings>;

export const DEFAULT_STORE_SETTINGS: StoreSettings = Object.freeze({
  open: true,
  machines: null,
  maxOrdersInFlight: null,
  maxOpenOrdersPerCustomer: null,
  lowStockCups: null,
  unavailable: [],
  brewSeconds: {},
  timeZone: 'UTC',
});

/** The `stores` table: one partition per store, its settings in the row `settings`. */
export const SETTINGS_ROW = 'settings';

export interface StoreSettingsRow {
  partitionKey: string;
  rowKey: typeof SETTINGS_ROW;
  /** The settings as JSON: lists and maps do not fit Table Storage's flat properties. */
  settings: string;
  updatedAt: string;
}

export function toRow(storeId: string, settings: StoreSettings, updatedAt: Date): StoreSettingsRow {
  return { partitionKey: storeId, rowKey: SETTINGS_ROW, settings: JSON.stringify(settings), updatedAt: updatedAt.toISOString() };
}

/**
 * The settings a row holds, over the defaults: a field added in a later version reads as its default,
 * and a row that no longer validates (a menu item withdrawn, say) loses only the fields that fail.
 */
export function fromRow(row: Pick<StoreSettingsRow, 'settings'> | undefined): StoreSettings {
  if (!row) return DEFAULT_STORE_SETTINGS;
  let stored: Record<string, unknown>;
  try {
    stored = JSON.parse(row.settings) as Record<string, unknown>;
  } catch {
    return DEFAULT_STORE_SETTINGS;
  }
  const merged: Record<string, unknown> = { ...DEFAULT_STORE_SETTINGS };
  for (const [name, field] of Object.entries(StoreSettings.shape)) {
    const parsed = (field as z.ZodType).safeParse(stored[name]);
    if (parsed.success) merged[name] = parsed.data;
  }
  return merged as StoreSettings;
}

/** Seconds a drink takes in this store. */
export function drinkSeconds(settings: StoreSettings, menuItemId: string, defaultSeconds: number): number {
  return settings.brewSeconds[menuItemId] ?? defaultSeconds;
}

/** An order's brewing time on one machine: the sum of its drinks' times. */
export function orderBrewSeconds(settings: StoreSettings, items: readonly { menuItemId: string; quantity: number }[], defaultSeconds: number): number {
  return items.reduce((sum, item) => sum + item.quantity * drinkSeconds(settings, item.menuItemId, defaultSeconds), 0);
}

export interface StoreSettingsReader {
  /** The store's settings, at most `maxAgeMs` old (defaults for a store never configured). */
  get(storeId: string): Promise<StoreSettings>;
  /** Forgets a store's cached settings (this process just changed them). */
  forget(storeId: string): void;
}

/**
 * Reads settings through a short per-process cache: intake consults them on every order, and they
 * change a few times a day, so a point read per order would be a round trip spent on nothing. A change
 * reaches other instances within `maxAgeMs`; the instance that made it forgets its copy at once.
 */
export function createStoreSettingsReader(table: () => Promise<TableClient>, options: { maxAgeMs?: number; now?: () => number } = {}): StoreSettingsReader {
  const maxAgeMs = options.maxAgeMs ?? 5_000;
  const now = options.now ?? Date.now;
  const cache = new Map<string, { at: number; settings: Promise<StoreSettings> }>();
  return {
    get(storeId) {
      const hit = cache.get(storeId);
      if (hit && now() - hit.at < maxAgeMs) return hit.settings;
      const settings = (async () => fromRow(await getOrUndefined<StoreSettingsRow>(await table(), storeId, SETTINGS_ROW)))();
      cache.set(storeId, { at: now(), settings });
      // A failed read is not cached: the next caller tries again.
      settings.catch(() => cache.delete(storeId));
      if (cache.size > 10_000) cache.delete(cache.keys().next().value!);
      return settings;
    },
    forget(storeId) {
      cache.delete(storeId);
    },
  };
}

let shared: StoreSettingsReader | undefined;

/**
 * The process's one reader, shared by intake and the stores service: a patch answered by this process
 * forgets the copy intake would read next, so a store closed here refuses orders here at once.
 */
export function productionStoreSettings(): StoreSettingsReader {
  shared ??= createStoreSettingsReader(() => table(TABLES.stores));
  return shared;
}
