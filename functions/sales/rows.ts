import { orderBucket } from '../../shared/identifiers';
import type { DayFigures, OrderTally } from './sales';

/**
 * The sales table:
 * - `PK=<date>_<storeId>`: one store's local day. `RK=day` holds its figures; `RK=o_<orderId>` one row
 *   per order counted there (its tally: what it has added). The figures and the tallies a batch changes
 *   commit in one transaction under the figures' ETag, so they never disagree. The date comes first so
 *   that the days older than a cutoff are one key range (retention).
 * - `PK=~<bucket>, RK=<orderId>`: where the order is counted (its day's partition), fixed by the first
 *   event of the order the projection sees; every later event of the order goes to the same day even if
 *   the store's time zone changed in between. '~' sorts after every date.
 */
export const dayPartition = (date: string, storeId: string) => `${date}_${storeId}`;
export const DAY_ROW = 'day';
export const tallyKey = (orderId: string) => `o_${orderId}`;
export const locatorAt = (orderId: string) => ({ partitionKey: `~${orderBucket(orderId)}`, rowKey: orderId });
export const LOCATOR_PREFIX = '~';
export const LOCATORS_END = '~~';

/** Where an order is counted: its store, the local date it was placed on, and the zone that date is in. */
export interface LocatorRow {
  storeId: string;
  date: string;
  timeZone: string;
}

export interface DayRow {
  storeId: string;
  date: string;
  /** The store's time zone when the day's first order was counted. */
  timeZone: string;
  placed: number;
  completed: number;
  cancelled: number;
  /** JSON maps: Table Storage has flat properties only. */
  cancelledByReason: string;
  drinks: string;
  revenue: number;
  updatedAt: string;
  /**
   * The day is past retention: its order tallies are deleted, so an event for one of its orders (a very
   * late replay) could no longer be told from a first delivery; such events are ignored instead.
   */
  closed?: boolean;
}

export interface TallyRow {
  placed: boolean;
  drinks?: string;
  amount?: number;
  outcome?: 'completed' | 'cancelled';
  reason?: string;
}

const counts = (text: string | undefined): Record<string, number> => (text ? (JSON.parse(text) as Record<string, number>) : {});

export function figuresOf(row: DayRow): DayFigures {
  return {
    placed: row.placed,
    completed: row.completed,
    cancelled: row.cancelled,
    cancelledByReason: counts(row.cancelledByReason),
    drinks: counts(row.drinks),
    revenue: row.revenue,
  };
}

export function toDayRow(day: { storeId: string; date: string; timeZone: string; updatedAt: Date }, figures: DayFigures): DayRow {
  return {
    storeId: day.storeId,
    date: day.date,
    timeZone: day.timeZone,
    placed: figures.placed,
    completed: figures.completed,
    cancelled: figures.cancelled,
    cancelledByReason: JSON.stringify(figures.cancelledByReason),
    drinks: JSON.stringify(figures.drinks),
    revenue: figures.revenue,
    updatedAt: day.updatedAt.toISOString(),
  };
}

export function tallyOf(row: TallyRow): OrderTally {
  return {
    placed: row.placed,
    ...(row.drinks ? { drinks: counts(row.drinks) } : {}),
    ...(row.amount !== undefined ? { amount: row.amount } : {}),
    ...(row.outcome ? { outcome: row.outcome } : {}),
    ...(row.reason ? { reason: row.reason } : {}),
  };
}

export function toTallyRow(tally: OrderTally): TallyRow {
  return {
    placed: tally.placed,
    ...(tally.drinks ? { drinks: JSON.stringify(tally.drinks) } : {}),
    ...(tally.amount !== undefined ? { amount: tally.amount } : {}),
    ...(tally.outcome ? { outcome: tally.outcome } : {}),
    ...(tally.reason ? { reason: tally.reason } : {}),
  };
}
