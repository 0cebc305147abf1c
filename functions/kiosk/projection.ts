import type { EventOf } from '../../shared/events';

export type KioskEvent = EventOf<'OrderPlaced' | 'CupsReserved' | 'BrewingStarted' | 'OrderCompleted' | 'OrderCancelled'>;
export const KIOSK_STATUSES = ['pending', 'accepted', 'brewing', 'completed', 'cancelled'] as const;
export type KioskStatus = (typeof KIOSK_STATUSES)[number];

/** The kiosk's read model of one order: only what the screens show. */
export interface KioskView {
  orderId: string;
  storeId: string;
  customerId?: string;
  items?: { menuItemId: string; quantity: number }[];
  cups?: number;
  status: KioskStatus;
  reason?: string;
  readyAt?: string;
  createdAt: string;
  updatedAt: string;
  /** The customer's data was erased: no later or redelivered event brings the customer id back. */
  erased?: boolean;
}

/** How far along a status is: a status only ever moves to a higher rank (both final ones rank alike: the first stands). */
export const RANK: Record<KioskStatus, number> = { pending: 0, accepted: 1, brewing: 2, completed: 3, cancelled: 3 };

/** The status each event moves an order to. */
export const STATUS_OF: Record<KioskEvent['type'], KioskStatus> = {
  OrderPlaced: 'pending',
  CupsReserved: 'accepted',
  BrewingStarted: 'brewing',
  OrderCompleted: 'completed',
  OrderCancelled: 'cancelled',
};

/**
 * Folds an event into the view. Statuses only move forward, so a redelivered or late event changes
 * nothing; details an event carries (items from OrderPlaced) are kept whatever order they arrive in.
 * Returns undefined when the view is unchanged.
 */
export function evolve(view: KioskView | undefined, event: KioskEvent): KioskView | undefined {
  const status = STATUS_OF[event.type];
  const current: KioskView = view ?? {
    orderId: event.orderId,
    storeId: event.storeId,
    status: 'pending',
    createdAt: event.occurredAt,
    updatedAt: event.occurredAt,
  };
  let next: KioskView = current;
  if (event.type === 'OrderPlaced' && current.items === undefined) {
    next = { ...next, customerId: event.customerId, items: event.items.map(({ menuItemId, quantity }) => ({ menuItemId, quantity })), cups: event.cups, createdAt: event.occurredAt };
  }
  if (event.type === 'BrewingStarted' && RANK[current.status] < RANK.brewing) next = { ...next, readyAt: event.readyAt };
  if (event.type === 'OrderCancelled' || event.type === 'OrderCompleted') next = { ...next, customerId: event.customerId };
  if (RANK[status] > RANK[current.status]) {
    next = { ...next, status, updatedAt: event.occurredAt, ...(event.type === 'OrderCancelled' ? { reason: event.reason } : {}) };
  }
  if (current.erased && next.customerId !== undefined) {
    const { customerId: _dropped, ...rest } = next;
    next = rest;
  }
  return view !== undefined && next === current ? undefined : next;
}

const REASON_TEXT: Record<string, string> = {
  'out-of-cups': 'Sorry, we are out of cups',
  'timed-out': 'Sorry, we could not start your order in time',
  'customer-cancelled': 'cancelled as you asked',
};

/** The customer-facing line for a status (English; the kiosk page translates by status and reason). */
export function customerMessage(view: Pick<KioskView, 'status' | 'reason'>): string {
  switch (view.status) {
    case 'pending':
      return 'Order received';
    case 'accepted':
      return 'Order accepted, preparing soon';
    case 'brewing':
      return 'Preparing your drinks';
    case 'completed':
      return 'Ready to pick up';
    case 'cancelled':
      return `Cancelled: ${REASON_TEXT[view.reason ?? ''] ?? view.reason ?? 'unknown reason'}`;
  }
}
