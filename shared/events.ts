import { z } from 'zod';
import { StoredCustomerId as CustomerId, StoreId } from './identifiers';

/**
 * The events the services exchange. Consumers validate every message but tolerate added fields
 * (`looseObject`), so a producer can add data without breaking older consumers; a breaking change
 * bumps `version`, and a consumer that does not know that version dead-letters the event instead of
 * misreading it.
 */
const item = z.looseObject({
  menuItemId: z.string().min(1).max(64),
  quantity: z.number().int().min(1).max(20),
});

/**
 * Two kinds of event share the hub: an order's (the saga's steps, each carrying its `orderId`) and a
 * store's (about the store itself, with no order: StockLow). Both travel in their store's partition.
 */
const storeEnvelope = {
  id: z.string().min(1).max(200),
  version: z.literal(1),
  storeId: StoreId,
  occurredAt: z.iso.datetime(),
};

const envelope = {
  ...storeEnvelope,
  orderId: z.string().min(1).max(64),
};

export const OrderPlaced = z.looseObject({
  ...envelope,
  type: z.literal('OrderPlaced'),
  customerId: CustomerId,
  items: z.array(item).min(1).max(20),
  cups: z.number().int().min(1),
});

export const CupsReserved = z.looseObject({
  ...envelope,
  type: z.literal('CupsReserved'),
  customerId: CustomerId,
  items: z.array(item).min(1).max(20),
  cups: z.number().int().min(1),
});

export const CupsOutOfStock = z.looseObject({
  ...envelope,
  type: z.literal('CupsOutOfStock'),
  cups: z.number().int().min(1),
  available: z.number().int().min(0),
});

export const BrewingStarted = z.looseObject({
  ...envelope,
  type: z.literal('BrewingStarted'),
  readyAt: z.iso.datetime(),
});

export const BeverageCompleted = z.looseObject({
  ...envelope,
  type: z.literal('BeverageCompleted'),
});

export const OrderCancelled = z.looseObject({
  ...envelope,
  type: z.literal('OrderCancelled'),
  customerId: CustomerId,
  reason: z.string().min(1).max(100),
});

export const OrderCompleted = z.looseObject({
  ...envelope,
  type: z.literal('OrderCompleted'),
  customerId: CustomerId,
  /** A cancel was asked for but brewing had already started: the customer is told it came too late. */
  lateCancel: z.boolean().optional(),
});

/**
 * The orders service asks to cancel an order that has not started brewing. Only beverages, which starts
 * brewing, can tell whether the cancel is still possible, so it answers: BrewingCancelled, or (the cancel
 * lost the race) the BrewingStarted or BeverageCompleted it already announced.
 */
export const CancelRequested = z.looseObject({
  ...envelope,
  type: z.literal('CancelRequested'),
  customerId: CustomerId,
  reason: z.string().min(1).max(100),
});

/** Beverages will never brew this order (it recorded that before any job started). */
export const BrewingCancelled = z.looseObject({
  ...envelope,
  type: z.literal('BrewingCancelled'),
  reason: z.string().min(1).max(100),
});

/**
 * An operator erased this customer's personal data (DELETE /customers/{customerId}); one event per
 * order, so it travels in its store's partition behind that order's own events. Every service that
 * keeps the customer id for this order drops or blanks it.
 */
export const CustomerErased = z.looseObject({
  ...envelope,
  type: z.literal('CustomerErased'),
  customerId: CustomerId,
});

/**
 * A store's free cups fell to its low-stock threshold or below (from above it): one event per
 * crossing, numbered by the store's crossing counter (kept with its stock), so a re-publish keeps the id.
 * A store event: it has no `orderId`.
 */
export const StockLow = z.looseObject({
  ...storeEnvelope,
  type: z.literal('StockLow'),
  /** Free cups left by the write that crossed the threshold. */
  cups: z.number().int().min(0),
  /** The store's threshold when it crossed it. */
  lowStockCups: z.number().int().min(0),
  /** 1 for the store's first crossing, then counting up. */
  crossing: z.number().int().min(1),
});

export const CafeEvent = z.discriminatedUnion('type', [
  OrderPlaced,
  CupsReserved,
  CupsOutOfStock,
  BrewingStarted,
  BeverageCompleted,
  OrderCancelled,
  OrderCompleted,
  CancelRequested,
  BrewingCancelled,
  CustomerErased,
  StockLow,
]);

export type CafeEvent = z.infer<typeof CafeEvent>;
export type CafeEventType = CafeEvent['type'];
export type EventOf<T extends CafeEventType> = Extract<CafeEvent, { type: T }>;
export type OrderPlaced = EventOf<'OrderPlaced'>;
export type CupsReserved = EventOf<'CupsReserved'>;
export type CupsOutOfStock = EventOf<'CupsOutOfStock'>;
export type BrewingStarted = EventOf<'BrewingStarted'>;
export type BeverageCompleted = EventOf<'BeverageCompleted'>;
export type OrderCancelled = EventOf<'OrderCancelled'>;
export type OrderCompleted = EventOf<'OrderCompleted'>;
export type CancelRequested = EventOf<'CancelRequested'>;
export type BrewingCancelled = EventOf<'BrewingCancelled'>;
export type CustomerErased = EventOf<'CustomerErased'>;
export type StockLow = EventOf<'StockLow'>;

/** The events about a store rather than an order: they carry no `orderId`. */
export const STORE_EVENT_TYPES = ['StockLow'] as const satisfies readonly CafeEventType[];
export type StoreEventType = (typeof STORE_EVENT_TYPES)[number];
export type OrderEventType = Exclude<CafeEventType, StoreEventType>;
export type OrderEvent = EventOf<OrderEventType>;
export type StoreEvent = EventOf<StoreEventType>;

export function isOrderEvent(event: CafeEvent): event is OrderEvent {
  return !(STORE_EVENT_TYPES as readonly string[]).includes(event.type);
}

export const EVENT_TYPES: readonly CafeEventType[] = CafeEvent.options.map((o) => o.shape.type.value);

/**
 * Each event type happens at most once per order, so its id is derived from the order: a redelivered
 * or re-published event keeps its id and every consumer can recognise it.
 */
export function eventIdFor(type: OrderEventType, orderId: string): string {
  return `${orderId}.${type}`;
}

/** A store's crossings are numbered, so each has its own id and a re-published one keeps it. */
export function stockLowId(storeId: string, crossing: number): string {
  return `${storeId}.StockLow.${crossing}`;
}

type Payload<T extends CafeEventType> = Omit<EventOf<T>, 'id' | 'type' | 'version'>;

export function makeStockLow(payload: { storeId: string; occurredAt: string; cups: number; lowStockCups: number; crossing: number }): StockLow {
  return { id: stockLowId(payload.storeId, payload.crossing), type: 'StockLow', version: 1, ...payload };
}

export function makeEvent<T extends OrderEventType>(type: T, payload: Payload<T>): EventOf<T> {
  const { orderId } = payload as unknown as { orderId: string };
  return { id: eventIdFor(type, orderId), type, version: 1, ...payload } as EventOf<T>;
}
