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

export interface Order {
  id: string;
  storeId: string;
  customerId: string;
  items: { menuItemId: string; quantity: number }[];
  cups: number;
  status: OrderStatus;
  reason?: string;
  createdAt: string;
  updatedAt: string;
}

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

/** The outcome event of a final order, rebuilt from the order itself. */
export function finalEvent(order: Order, now: Date): CafeEvent | undefined {
  const base = { orderId: order.id, storeId: order.storeId, occurredAt: now.toISOString(), customerId: order.customerId };
  if (order.status === 'completed') return makeEvent('OrderCompleted', base);
  if (order.status === 'cancelled') return makeEvent('OrderCancelled', { ...base, reason: order.reason ?? 'out-of-cups' });
  return undefined;
}

const RANK: Record<OrderStatus, number> = { pending: 0, accepted: 1, brewing: 2, completed: 3, cancelled: 3 };

export const isFinal = (status: OrderStatus) => FINAL_STATUSES.includes(status);

export type ProgressEvent = EventOf<'CupsReserved' | 'CupsOutOfStock' | 'BrewingStarted' | 'BeverageCompleted'>;

export interface Progress {
  /** The order after the event, when it changed. */
  next?: Order;
  /** The event to publish: also re-published when a final event is redelivered, in case it was lost. */
  emit?: CafeEvent;
  /** Why an event was ignored, for the log. */
  ignored?: string;
}

function moveTo(order: Order, status: OrderStatus, now: Date, reason?: string): Order | undefined {
  if (isFinal(order.status) || RANK[status] <= RANK[order.status]) return undefined;
  return { ...order, status, updatedAt: now.toISOString(), ...(reason ? { reason } : {}) };
}

/** The order's state machine: pending → accepted → brewing → completed, or pending → cancelled. */
export function progress(order: Order, event: ProgressEvent, now: Date): Progress {
  const base = { orderId: order.id, storeId: order.storeId, occurredAt: now.toISOString(), customerId: order.customerId };
  switch (event.type) {
    case 'CupsReserved': {
      const next = moveTo(order, 'accepted', now);
      return next ? { next } : { ignored: `order is already ${order.status}` };
    }
    case 'BrewingStarted': {
      const next = moveTo(order, 'brewing', now);
      return next ? { next } : { ignored: `order is already ${order.status}` };
    }
    case 'CupsOutOfStock': {
      if (order.status === 'cancelled') return { emit: finalEvent(order, now)! };
      if (order.status !== 'pending') return { ignored: `order is ${order.status}; cups were reserved before` };
      const next = moveTo(order, 'cancelled', now, 'out-of-cups')!;
      return { next, emit: makeEvent('OrderCancelled', { ...base, reason: 'out-of-cups' }) };
    }
    case 'BeverageCompleted': {
      if (order.status === 'completed') return { emit: finalEvent(order, now)! };
      if (order.status === 'cancelled') return { ignored: 'order was cancelled' };
      return { next: moveTo(order, 'completed', now)!, emit: makeEvent('OrderCompleted', base) };
    }
    default: {
      const unexpected: never = event;
      return { ignored: `unexpected event ${(unexpected as { type: string }).type}` };
    }
  }
}
