import type { EventOf } from '../../shared/events';
import { orderTime } from '../../shared/identifiers';
import { menuItem } from '../../shared/menu';

export type SalesEvent = EventOf<'OrderPlaced' | 'OrderCompleted' | 'OrderCancelled'>;

/**
 * What the sales model knows of one order, kept next to its day's figures: enough to tell what it
 * has added to them. No customer id: the figures are anonymous, so an erasure has nothing to do here.
 */
export interface OrderTally {
  /** OrderPlaced was applied. */
  placed: boolean;
  /** Drinks per menu item, from OrderPlaced. */
  drinks?: Record<string, number>;
  /** The order's price in won, at the menu prices of the moment OrderPlaced was applied. */
  amount?: number;
  outcome?: 'completed' | 'cancelled';
  reason?: string;
}

/** One store's figures for one local day. Drinks and revenue are those of completed orders. */
export interface DayFigures {
  placed: number;
  completed: number;
  cancelled: number;
  cancelledByReason: Record<string, number>;
  drinks: Record<string, number>;
  revenue: number;
}

export const NO_FIGURES: DayFigures = Object.freeze({ placed: 0, completed: 0, cancelled: 0, cancelledByReason: {}, drinks: {}, revenue: 0 });

/** One formatter per time zone: building one costs more than formatting, and this runs per order. */
const dateFormats = new Map<string, Intl.DateTimeFormat>();

/** The calendar date (YYYY-MM-DD) of an instant in an IANA time zone. */
export function localDate(at: Date, timeZone: string): string {
  let format = dateFormats.get(timeZone);
  if (!format) dateFormats.set(timeZone, (format = new Intl.DateTimeFormat('en-US', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' })));
  const parts = format.formatToParts(at);
  const part = (type: Intl.DateTimeFormatPartTypes) => parts.find((p) => p.type === type)!.value;
  return `${part('year')}-${part('month')}-${part('day')}`;
}

/**
 * When an order was placed: its id says so (ids carry their creation time), so a completion that
 * arrives before its placement finds the same day. OrderPlaced's own time stands in for an id the app
 * did not make, and any event's time as a last resort.
 */
export function placedAt(orderId: string, events: readonly SalesEvent[]): Date {
  const placed = events.find((e) => e.type === 'OrderPlaced');
  return orderTime(orderId) ?? new Date((placed ?? events[0]!).occurredAt);
}

/**
 * Folds one event into an order's tally; undefined when it changes nothing (a redelivery, or a second
 * outcome: the first final outcome stands). Events may come in any order: a completion seen before
 * its placement is kept, and the placement later adds the drinks and revenue it brings.
 */
export function applyEvent(tally: OrderTally | undefined, event: SalesEvent): OrderTally | undefined {
  const current: OrderTally = tally ?? { placed: false };
  switch (event.type) {
    case 'OrderPlaced': {
      if (current.placed) return undefined;
      const drinks: Record<string, number> = {};
      let amount = 0;
      for (const item of event.items) {
        drinks[item.menuItemId] = (Object.hasOwn(drinks, item.menuItemId) ? drinks[item.menuItemId]! : 0) + item.quantity;
        amount += item.quantity * (menuItem(item.menuItemId)?.price ?? 0);
      }
      return { ...current, placed: true, drinks, amount };
    }
    case 'OrderCompleted':
      return current.outcome ? undefined : { ...current, outcome: 'completed' };
    case 'OrderCancelled':
      return current.outcome ? undefined : { ...current, outcome: 'cancelled', reason: event.reason };
    default: {
      const _unknown: never = event;
      return undefined;
    }
  }
}

/** Folds an order's events of one batch; undefined when none changes the tally. */
export function applyEvents(tally: OrderTally | undefined, events: readonly SalesEvent[]): OrderTally | undefined {
  return events.reduce<OrderTally | undefined>((t, event) => applyEvent(t ?? tally, event) ?? t, undefined);
}

/**
 * What one order adds to its day. The day's figures are always the sum of its orders' contributions,
 * so applying the difference of an order's contribution before and after an event keeps them exact
 * whatever order the events come in.
 */
export function contribution(tally: OrderTally | undefined): DayFigures {
  if (!tally) return NO_FIGURES;
  const completed = tally.outcome === 'completed';
  const cancelled = tally.outcome === 'cancelled';
  return {
    placed: tally.placed ? 1 : 0,
    completed: completed ? 1 : 0,
    cancelled: cancelled ? 1 : 0,
    cancelledByReason: cancelled ? { [tally.reason ?? 'unknown']: 1 } : {},
    drinks: completed && tally.drinks ? tally.drinks : {},
    revenue: completed ? (tally.amount ?? 0) : 0,
  };
}

function addCounts(a: Record<string, number>, b: Record<string, number>, sign: 1 | -1): Record<string, number> {
  const sum: Record<string, number> = { ...a };
  for (const [key, n] of Object.entries(b)) {
    const total = (Object.hasOwn(sum, key) ? sum[key]! : 0) + sign * n;
    if (total === 0) delete sum[key];
    else sum[key] = total;
  }
  return sum;
}

function add(a: DayFigures, b: DayFigures, sign: 1 | -1): DayFigures {
  return {
    placed: a.placed + sign * b.placed,
    completed: a.completed + sign * b.completed,
    cancelled: a.cancelled + sign * b.cancelled,
    cancelledByReason: addCounts(a.cancelledByReason, b.cancelledByReason, sign),
    drinks: addCounts(a.drinks, b.drinks, sign),
    revenue: a.revenue + sign * b.revenue,
  };
}

/** The day's figures after some of its orders' tallies changed. */
export function withChanges(day: DayFigures, changes: readonly { before: OrderTally | undefined; after: OrderTally }[]): DayFigures {
  return changes.reduce((figures, { before, after }) => add(add(figures, contribution(after), 1), contribution(before), -1), day);
}
