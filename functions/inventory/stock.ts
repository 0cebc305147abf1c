/** Pure stock decisions: no storage, no clock. */

export interface ReservationRequest {
  orderId: string;
  cups: number;
}

export type Reservation =
  | { orderId: string; outcome: 'reserved'; cups: number; available: number }
  | { orderId: string; outcome: 'out-of-stock'; cups: number; available: number };

export function cupsSuffice(freeCups: number, needed: number): boolean {
  return needed <= freeCups;
}

/**
 * Decides a run of orders against the free cups, first come first served: each order takes its cups
 * if they suffice, otherwise it is refused and takes nothing (a later, smaller order may still fit).
 */
export function reserveInTurn(
  freeCups: number,
  requests: readonly ReservationRequest[],
): { reservations: Reservation[]; remaining: number } {
  let remaining = freeCups;
  const reservations = requests.map((request): Reservation => {
    const available = remaining;
    if (cupsSuffice(remaining, request.cups)) {
      remaining -= request.cups;
      return { orderId: request.orderId, outcome: 'reserved', cups: request.cups, available };
    }
    return { orderId: request.orderId, outcome: 'out-of-stock', cups: request.cups, available };
  });
  return { reservations, remaining };
}

export function restocked(current: number, added: number): number {
  return current + added;
}

/**
 * What the inventory recorded for an order: its reservation decision, then, once the order was
 * cancelled, `released` (its cups went back) or `cancelled` (cancelled before any decision, so a late
 * OrderPlaced reserves nothing).
 */
export type Decision = Reservation['outcome'] | 'released' | 'cancelled';

/** Only a reservation decision is announced; a cancelled order's story is over. */
export function announces(decision: Decision): decision is Reservation['outcome'] {
  return decision === 'reserved' || decision === 'out-of-stock';
}

export type Compensation = { action: 'release'; cups: number } | { action: 'close' } | { action: 'none' };

/**
 * Compensation for a cancelled order: reserved cups go back exactly once; an order not decided yet is
 * closed so it never takes cups later; a refused or already compensated order changes nothing.
 */
export function compensate(decided: { outcome: Decision; cups: number } | undefined): Compensation {
  if (!decided) return { action: 'close' };
  if (decided.outcome === 'reserved') return { action: 'release', cups: decided.cups };
  return { action: 'none' };
}

/**
 * What the stock row remembers about the low-stock threshold: whether the last write left it at or
 * below (`low`), how many times it crossed (`crossings`), and up to which crossing a StockLow was
 * published (`announced`). A crossing is recorded in the same write that moves the cups, so however
 * often a write is retried or redelivered, a crossing is counted once.
 */
export interface LowMark {
  low: boolean;
  crossings: number;
  announced: number;
}

export const NOT_LOW: LowMark = Object.freeze({ low: false, crossings: 0, announced: 0 });

/** Whether `cups` free cups are low for a store whose threshold is `lowStockCups`. */
export function isLow(cups: number, lowStockCups: number): boolean {
  return cups <= lowStockCups;
}

/**
 * The mark after a write leaves `cups` free: falling from above the threshold to at or below it is a
 * new crossing; rising above it re-arms the mark for the next one; anything else leaves it as it was
 * (staying low takes no second crossing, whatever the writes in between).
 */
export function markLow(before: LowMark, cups: number, lowStockCups: number): LowMark {
  const low = isLow(cups, lowStockCups);
  if (low && !before.low) return { ...before, low: true, crossings: before.crossings + 1 };
  if (!low && before.low) return { ...before, low: false };
  return before;
}

/**
 * The crossing still to be announced, if any. Only the latest: when an earlier crossing's StockLow
 * never got out before the stock rose and crossed again, the newer one says all the older would.
 */
export function unannounced(mark: LowMark): number | undefined {
  return mark.crossings > mark.announced ? mark.crossings : undefined;
}
