import { z } from 'zod';
import { makeEvent, type CafeEvent, type EventOf } from '../../shared/events';
import { menuItem } from '../../shared/menu';
import { CustomerId, StoreId } from '../../shared/identifiers';

export const ORDER_STATUSES = ['pending', 'accepted', 'brewing', 'completed', 'cancelled'] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];
export const FINAL_STATUSES: readonly OrderStatus[] = ['completed', 'cancelled'];


/** What a client may send: nothing else, at any depth, so status, id and cups stay server-set. */
export const PlaceOrderBody = z.strictObject({
  storeId: StoreId.default('main'),
  customerId: CustomerId,
  items: z
    .array(
      z.strictObject({
        menuItemId: z.string().min(1).max(64).refine((id) => menuItem(id) !== undefined, 'Not on the menu'),
        quantity: z.number().int().min(1).max(20),
      }),
    )
    .min(1)
    .max(20),
});
export type PlaceOrderBody = z.infer<typeof PlaceOrderBody>;

export const IdempotencyKey = z.string().min(1).max(100);

/** A cancel asked for (by the deadline or the customer); `tooLate` once brewing started first. */
export const CancelRequest = z.object({ reason: z.string(), requestedAt: z.iso.datetime(), tooLate: z.boolean().optional() });
export type CancelRequest = z.infer<typeof CancelRequest>;

/** Why an order is cancelled: these words are shared with notifications and the kiosk. */
export const CANCEL_REASONS = { outOfCups: 'out-of-cups', timedOut: 'timed-out', customer: 'customer-cancelled' } as const;

/** An order as the orders table holds it and the routes answer it. */
export const Order = z
  .object({
    id: z.string(),
    storeId: z.string(),
    customerId: z.string(),
    items: z.array(z.object({ menuItemId: z.string(), quantity: z.int() })),
    cups: z.int().meta({ description: 'Cups the order needs: one per beverage.' }),
    status: z.enum(ORDER_STATUSES),
    reason: z.string().optional().meta({ description: 'Why it was cancelled: out-of-cups, timed-out or customer-cancelled.' }),
    cancel: CancelRequest.optional(),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
  })
  .meta({ id: 'Order' });
export type Order = z.infer<typeof Order>;

/** One cup per beverage. */
export function cupsFor(items: readonly { quantity: number }[]): number {
  return items.reduce((sum, item) => sum + item.quantity, 0);
}

export function newOrder(id: string, body: PlaceOrderBody, now: Date): Order {
  const at = now.toISOString();
  const items = body.items.map(({ menuItemId, quantity }) => ({ menuItemId, quantity }));
  return { id, storeId: body.storeId, customerId: body.customerId, items, cups: cupsFor(items), status: 'pending', createdAt: at, updatedAt: at };
}

export function orderPlaced(order: Order): EventOf<'OrderPlaced'> {
  return makeEvent('OrderPlaced', {
    orderId: order.id,
    storeId: order.storeId,
    occurredAt: order.createdAt,
    customerId: order.customerId,
    items: order.items,
    cups: order.cups,
  });
}

/**
 * The order an event that carries the whole order stands for, when the orders table lost it (see
 * progress.ts): OrderPlaced is the order as placed; a reservation carries the same customer, items and cups.
 */
export function recreate(event: EventOf<'OrderPlaced' | 'CupsReserved'>): Order {
  const items = event.items.map(({ menuItemId, quantity }) => ({ menuItemId, quantity }));
  const at = event.occurredAt;
  return { id: event.orderId, storeId: event.storeId, customerId: event.customerId, items, cups: event.cups, status: 'pending', createdAt: at, updatedAt: at };
}

export function cancelRequested(order: Order & { cancel: CancelRequest }): EventOf<'CancelRequested'> {
  return makeEvent('CancelRequested', {
    orderId: order.id,
    storeId: order.storeId,
    occurredAt: order.cancel.requestedAt,
    customerId: order.customerId,
    reason: order.cancel.reason,
  });
}

export type CancelDecision =
  /** Recorded now: store `next`, then publish `emit`. */
  | { outcome: 'requested'; next: Order & { cancel: CancelRequest }; emit: EventOf<'CancelRequested'> }
  /** Asked for before: the answer is the one already given. */
  | { outcome: 'repeat' }
  /** Too late to ask: brewing is known to have started, or the order is over. */
  | { outcome: 'refused'; because: 'brewing' | 'final' };

/**
 * Records a request to cancel. Only beverages can tell whether brewing started meanwhile (a reservation
 * may be on its way to it), so this records the wish and asks; the order is cancelled when beverages
 * answers BrewingCancelled.
 */
export function requestCancel(order: Order, reason: string, now: Date): CancelDecision {
  if (order.cancel) return { outcome: 'repeat' };
  if (isFinal(order.status)) return { outcome: 'refused', because: 'final' };
  if (order.status === 'brewing') return { outcome: 'refused', because: 'brewing' };
  const next = { ...order, cancel: { reason, requestedAt: now.toISOString() }, updatedAt: now.toISOString() };
  return { outcome: 'requested', next, emit: cancelRequested(next) };
}

/** When an order must have started brewing. */
export function deadlineOf(order: Pick<Order, 'createdAt'>, deadlineSeconds: number): Date {
  return new Date(Date.parse(order.createdAt) + deadlineSeconds * 1000);
}

/**
 * What the deadline asks of an unfinished order: before brewing it is cancelled (`timed-out`); a
 * brewing order cannot be cancelled safely, so it is reported to operators as stuck.
 */
export function overdue(order: Order, now: Date, deadlineSeconds: number): 'cancel' | 'stuck-brewing' | undefined {
  if (isFinal(order.status) || now.getTime() < deadlineOf(order, deadlineSeconds).getTime()) return undefined;
  if (order.status === 'brewing') return 'stuck-brewing';
  return order.cancel ? undefined : 'cancel';
}

/** The outcome event of a final order, rebuilt from the order itself. */
export function finalEvent(order: Order, now: Date): CafeEvent | undefined {
  const base = { orderId: order.id, storeId: order.storeId, occurredAt: now.toISOString(), customerId: order.customerId };
  if (order.status === 'completed') return makeEvent('OrderCompleted', { ...base, ...(order.cancel ? { lateCancel: true } : {}) });
  if (order.status === 'cancelled') return makeEvent('OrderCancelled', { ...base, reason: order.reason ?? 'out-of-cups' });
  return undefined;
}

const RANK: Record<OrderStatus, number> = { pending: 0, accepted: 1, brewing: 2, completed: 3, cancelled: 3 };

export const isFinal = (status: OrderStatus) => FINAL_STATUSES.includes(status);

export type ProgressEvent = EventOf<'OrderPlaced' | 'CupsReserved' | 'CupsOutOfStock' | 'BrewingStarted' | 'BeverageCompleted' | 'BrewingCancelled'>;

export interface Progress {
  /** The order after the event, when it changed. */
  next?: Order;
  /** The event to publish: also re-published when a final event is redelivered, in case it was lost. */
  emit?: CafeEvent;
  /** Why an event was ignored, for the log. */
  ignored?: string;
  /** An ignored event that contradicts the order (not a mere redelivery): logged as a warning. */
  conflict?: { from: OrderStatus; to: OrderStatus };
}

/** The status each event stands for. */
const TARGET: Record<ProgressEvent['type'], OrderStatus> = {
  OrderPlaced: 'pending',
  CupsReserved: 'accepted',
  CupsOutOfStock: 'cancelled',
  BrewingStarted: 'brewing',
  BeverageCompleted: 'completed',
  BrewingCancelled: 'cancelled',
};

function moveTo(order: Order, status: OrderStatus, now: Date, reason?: string): Order | undefined {
  if (isFinal(order.status) || RANK[status] <= RANK[order.status]) return undefined;
  return { ...order, status, updatedAt: now.toISOString(), ...(reason ? { reason } : {}) };
}

/** Brewing started before the cancel could stop it: the order goes on and the customer is told. */
const tooLate = (order: Order): Order => (order.cancel && !order.cancel.tooLate ? { ...order, cancel: { ...order.cancel, tooLate: true } } : order);

/** An event the order does not follow: a redelivery of a step already passed, or a contradiction. */
function ignore(order: Order, event: ProgressEvent): Progress {
  const to = TARGET[event.type];
  const redelivered = order.status === 'cancelled' ? to === 'cancelled' : to !== 'cancelled' && RANK[to] <= RANK[order.status];
  return { ignored: `order is already ${order.status}`, ...(redelivered ? {} : { conflict: { from: order.status, to } }) };
}

/**
 * The order's state machine: pending → accepted → brewing → completed, or → cancelled before brewing
 * (out of cups, or a cancel that beverages confirmed). Final outcomes are re-announced when the event
 * that decided them comes again.
 */
export function progress(order: Order, event: ProgressEvent, now: Date): Progress {
  const base = { orderId: order.id, storeId: order.storeId, occurredAt: now.toISOString(), customerId: order.customerId };
  switch (event.type) {
    case 'OrderPlaced':
      return {};
    case 'CupsReserved': {
      const next = moveTo(order, 'accepted', now);
      return next ? { next } : ignore(order, event);
    }
    case 'BrewingStarted': {
      const next = moveTo(order, 'brewing', now);
      return next ? { next: tooLate(next) } : ignore(order, event);
    }
    case 'CupsOutOfStock': {
      if (order.status === 'cancelled') return { emit: finalEvent(order, now)! };
      if (order.status !== 'pending') return ignore(order, event);
      const next = moveTo(order, 'cancelled', now, CANCEL_REASONS.outOfCups)!;
      return { next, emit: makeEvent('OrderCancelled', { ...base, reason: CANCEL_REASONS.outOfCups }) };
    }
    case 'BrewingCancelled': {
      if (order.status === 'cancelled') return { emit: finalEvent(order, now)! };
      if (order.status !== 'pending' && order.status !== 'accepted') return ignore(order, event);
      const reason = order.cancel?.reason ?? event.reason;
      const next = moveTo(order, 'cancelled', now, reason)!;
      return { next, emit: makeEvent('OrderCancelled', { ...base, reason }) };
    }
    case 'BeverageCompleted': {
      if (order.status === 'completed') return { emit: finalEvent(order, now)! };
      if (order.status === 'cancelled') return ignore(order, event);
      const next = tooLate(moveTo(order, 'completed', now)!);
      return { next, emit: finalEvent(next, now)! };
    }
    default: {
      const unexpected: never = event;
      return { ignored: `unexpected event ${(unexpected as { type: string }).type}` };
    }
  }
}
