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
