import type { InvocationContext } from '@azure/functions';
import type { TableClient } from '@azure/data-tables';
import type { TransactionAction } from '@azure/data-tables';
import { applyBatched } from '../../shared/batchedRows';
import { chunksOf, groupBy } from '../../shared/collections';
import type { EventFailure } from '../../shared/consumer';
import type { ServiceDeps } from '../../shared/deps';
import type { CafeEvent } from '../../shared/events';
import { withConflictRetry } from '../../shared/retry';
import { RowCache } from '../../shared/rowCache';
import { createIfAbsent, deleteIfPresent, getOrUndefined, isConflict, isNotFound, isPreconditionFailed, MAX_TRANSACTION_OPERATIONS, submitByPartition } from '../../shared/tables';
import { TABLES } from '../../shared/topology';
import { businessMetrics } from '../../shared/metrics';
import { traceparentForOrder } from '../../shared/tracing';
import { deadlineOf, isFinal, orderPlaced, progress, recreate, type Order, type OrderStatus, type ProgressEvent } from './order';
import { OPEN_PARTITION, fromRow, orderAt, toRow, type OpenRow, type OrderRow } from './rows';

/**
 * An event for an order this table does not have, that carries too little to rebuild it. Transient: the
 * order's OrderPlaced (a redelivery, a replay, the sweep) may still come and recreate it.
 */
class UnknownOrderError extends Error {
  override name = 'UnknownOrderError';
}

export type CachedOrder = OrderRow & { etag: string };

interface Applied {
  before?: Order;
  order: Order;
  emits: CafeEvent[];
  recreatedFrom?: string;
  conflicts: { event: ProgressEvent; from: OrderStatus; to: OrderStatus }[];
}

/**
 * The orders table may have lost an order the event log still carries (storage that lost acknowledged
 * writes, a restore from backup). An OrderPlaced or CupsReserved carries the whole order, so the order
 * is rebuilt from it rather than its events dead-lettered; its open row is written first, as intake
 * does, so the sweep keeps re-driving it until it is final.
 */
async function recreateOrder(client: TableClient, events: readonly ProgressEvent[], settings: ServiceDeps['settings']): Promise<{ order: Order; from: string }> {
  const source = events.find((e): e is Extract<ProgressEvent, { type: 'OrderPlaced' | 'CupsReserved' }> => e.type === 'OrderPlaced' || e.type === 'CupsReserved');
  if (!source) throw new UnknownOrderError(`order ${events[0]!.orderId} does not exist (yet)`);
  const order = recreate(source);
  // Rebuilt from an event in the hub: every consumer will see the order's events, so it is only held
  // to its deadline (see markSeen).
  const open: OpenRow = {
    event: JSON.stringify(orderPlaced(order)),
    nextNudgeAt: deadlineOf(order, settings.orderDeadlineSeconds).toISOString(),
    nudges: 0,
    idempotent: true,
    seen: true,
    storeId: order.storeId,
    customerId: order.customerId,
  };
  const traceparent = traceparentForOrder(order.id);
  if (traceparent) open.traceparent = traceparent;
  await createIfAbsent(client, { partitionKey: OPEN_PARTITION, rowKey: order.id, ...open });
  return { order, from: source.type };
}

/** Folds one order's events into it: the state machine's answer for the whole group. */
function fold(before: Order, events: readonly ProgressEvent[], now: Date): Omit<Applied, 'before' | 'recreatedFrom'> {
  let order = before;
  const emits: CafeEvent[] = [];
  const conflicts: Applied['conflicts'] = [];
  for (const event of events) {
    const result = progress(order, event, now);
    if (result.conflict) conflicts.push({ event, ...result.conflict });
    if (result.next) order = result.next;
    if (result.emit) emits.push(result.emit);
  }
  return { order, emits, conflicts };
}

/**
 * The slow path, for an order this table does not have: rebuilds it from an event that carries it
 * (open row first, as intake writes it), then applies the events with one conditional write.
 */
async function applyToMissingOrder(client: TableClient, cache: RowCache<CachedOrder>, events: readonly ProgressEvent[], deps: ServiceDeps): Promise<Applied> {
  return withConflictRetry(
    async () => {
      const now = deps.now();
      const orderId = events[0]!.orderId;
      const at = orderAt(orderId);
      const row = await getOrUndefined<OrderRow>(client, at.partitionKey, at.rowKey);
      const rebuilt = row ? undefined : await recreateOrder(client, events, deps.settings);
      const before = row ? fromRow(row) : undefined;
      const applied = fold(before ?? rebuilt!.order, events, now);
      if (applied.order !== before) {
        const entity = toRow(applied.order);
        const written = row ? await client.updateEntity(entity, 'Replace', { etag: row.etag }) : await client.createEntity(entity);
        if (written.etag) cache.set(orderId, { ...entity, etag: written.etag });
      }
      return { ...(before ? { before } : {}), ...applied, ...(rebuilt ? { recreatedFrom: rebuilt.from } : {}) };
    },
    (error) => isPreconditionFailed(error) || isConflict(error),
  );
}

/**
 * Moves orders along as the other services report. A batch costs one transaction per order bucket
 * (the orders are read only when this instance neither wrote nor read them last); final outcomes are
 * published, then the finished orders' open rows are removed together: if the publish fails, the open
 * rows keep the sweep re-driving the orders.
 */
export function createOrderProgress(deps: ServiceDeps, cache = new RowCache<CachedOrder>()) {
  return async function trackOrders(events: ProgressEvent[], context: InvocationContext): Promise<EventFailure[]> {
    const client = await deps.table(TABLES.orders);
    const byOrder = groupBy(events, (event) => event.orderId);
    const applied = new Map<string, Applied>();
    const missing: string[] = [];
    const now = deps.now();
    const outcomes = await applyBatched(client, cache, [...byOrder.keys()].map((orderId) => ({ key: orderId, ...orderAt(orderId) })), (task, row) => {
      if (!row) {
        applied.delete(task.key);
        missing.push(task.key);
        return {};
      }
      const before = fromRow({ ...row, rowKey: task.key });
      const result = { before, ...fold(before, byOrder.get(task.key)!, now) };
      applied.set(task.key, result);
      return result.order === before ? {} : { fields: withoutKeys(toRow(result.order)) };
    });
    const failures: EventFailure[] = [];
    const failOrder = (orderId: string, error: unknown) => failures.push(...byOrder.get(orderId)!.map((event) => ({ eventId: event.id, error })));
    for (const o of outcomes) if (o.error !== undefined) failOrder(o.task.key, o.error);
    for (const orderId of new Set(missing)) {
      if (outcomes.find((o) => o.task.key === orderId)?.error !== undefined) continue;
      try {
        applied.set(orderId, await applyToMissingOrder(client, cache, byOrder.get(orderId)!, deps));
      } catch (error) {
        failOrder(orderId, error);
      }
    }

    const finals: { sources: ProgressEvent[]; order: Order; emit: CafeEvent }[] = [];
    const seen: Order[] = [];
    for (const [orderId, { before, order, emits, conflicts, recreatedFrom }] of applied) {
      if (failures.some((f) => byOrder.get(orderId)!.some((e) => e.id === f.eventId))) continue;
      if (!recreatedFrom && !isFinal(order.status) && byOrder.get(orderId)!.some((e) => e.type === 'OrderPlaced')) seen.push(order);
      if (recreatedFrom) context.warn(`order recreated from ${recreatedFrom} orderId=${order.id} storeId=${order.storeId}: the orders table did not have it`);
      for (const c of conflicts) context.warn(`ignored transition orderId=${order.id} event=${c.event.type} from=${c.from} to=${c.to}`);
      for (const emit of emits) finals.push({ sources: byOrder.get(orderId)!, order, emit });
      if (order !== before && order.status !== before?.status) {
        const latencyMs = Date.parse(order.updatedAt) - Date.parse(order.createdAt);
        context.log(`order ${order.status} orderId=${order.id} storeId=${order.storeId} latencyMs=${latencyMs}${order.reason ? ` reason=${order.reason}` : ''}`);
        recordOutcome(order, latencyMs);
      }
    }

    await markSeen(client, seen, deps.settings.orderDeadlineSeconds, context);
    if (finals.length === 0) return failures;
    try {
      await deps.publisher.publish([...new Map(finals.map((f) => [f.emit.id, f.emit])).values()]);
    } catch (error) {
      // The sweep publishes a final order's outcome again; have it look soon rather than at the deadline.
      const soon = new Date(deps.now().getTime() + 1000 * deps.settings.orderNudgeAfterSeconds).toISOString();
      for (const f of finals) {
        await client.updateEntity({ partitionKey: OPEN_PARTITION, rowKey: f.order.id, nextNudgeAt: soon }, 'Merge').catch(() => undefined);
      }
      const unpublished = new Set(finals.flatMap((f) => f.sources.map((e) => e.id)));
      return [...failures, ...[...unpublished].map((eventId) => ({ eventId, error }))];
    }
    const closed = [...new Set(finals.filter((f) => isFinal(f.order.status)).map((f) => f.order.id))];
    try {
      await submitByPartition(client, closed.map((orderId): TransactionAction => ['delete', { partitionKey: OPEN_PARTITION, rowKey: orderId }]));
    } catch {
      // One of them was gone already (a redelivery, the sweep): a transaction fails whole, so go one by one.
      for (const orderId of closed) {
        await deleteIfPresent(client, OPEN_PARTITION, orderId).catch((error: unknown) => context.warn(`could not close open row of ${orderId}; the sweep will`, error));
      }
    }
    return failures;
  };
}

/** The business metrics of a status change this batch wrote (ETag-guarded: once per order). */
function recordOutcome(order: Order, latencyMs: number): void {
  if (order.status === 'completed') businessMetrics.orderCompleted(order.storeId, latencyMs);
  else if (order.status === 'cancelled') businessMetrics.orderCancelled(order.storeId, order.reason ?? 'unknown');
}

function withoutKeys(row: OrderRow & { partitionKey: string; rowKey: string }): Record<string, unknown> {
  const { partitionKey: _p, rowKey: _r, ...fields } = row;
  return fields;
}

/**
 * Records on the open rows that these orders' OrderPlaced came through the hub, so the sweep stops
 * nudging them (a nudge only helps an order whose OrderPlaced may never have been published; for the
 * others it only feeds a backlog). One transaction per 100 orders in the `open` partition; this is an
 * optimisation of the sweep, so a failure is logged and the sweep simply nudges as before.
 */
async function markSeen(client: TableClient, orders: readonly Order[], deadlineSeconds: number, context: InvocationContext): Promise<void> {
  if (orders.length === 0) return;
  const update = (order: Order): TransactionAction => [
    'update',
    { partitionKey: OPEN_PARTITION, rowKey: order.id, seen: true, nextNudgeAt: deadlineOf(order, deadlineSeconds).toISOString() },
    'Merge',
  ];
  for (const chunk of chunksOf(orders, MAX_TRANSACTION_OPERATIONS)) {
    try {
      await client.submitTransaction(chunk.map(update));
    } catch {
      // One open row is gone (its order became final meanwhile): mark the others one by one.
      for (const order of chunk) {
        try {
          await client.updateEntity(update(order)[1] as { partitionKey: string; rowKey: string }, 'Merge');
        } catch (error) {
          if (!isNotFound(error)) context.warn(`could not mark open order ${order.id} as seen; the sweep may nudge it`, error);
        }
      }
    }
  }
}
