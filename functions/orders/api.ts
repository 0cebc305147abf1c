import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import type { Caller } from '../../shared/auth/policy';
import { MAX_SCOPED_STORES, storesFilter } from '../../shared/auth/scope';
import type { TableClient } from '@azure/data-tables';
import { z } from 'zod';
import type { ServiceDeps } from '../../shared/deps';
import { deadline, type Deadline } from '../../shared/deadline';
import { json, notFound, parseJsonBody, parseWith, pathId, problem, queryObject } from '../../shared/http';
import { IdempotencyKeyHeader, decideKey, expiryFrom, fingerprintOf, keyReused } from '../../shared/idempotency';
import { createIfAbsent, getOrUndefined, isConflict, isPreconditionFailed, listAll, odata } from '../../shared/tables';
import { TABLES } from '../../shared/topology';
import { ORDER_STATUSES, PlaceOrderBody, isFinal, newOrder, orderPlaced, type Order } from './order';
import { makeEvent } from '../../shared/events';
import { OPEN_PARTITION, ORDER_PARTITIONS_END, fromRow, idempotencyKeyAt, orderAt, toRow, type IdempotencyRow, type OpenRow, type OrderRow } from './rows';
import { Cursor, listPage, nextLink } from '../../shared/paging';
import type { RowCache } from '../../shared/rowCache';
import { CustomerId, ListLimit, OrderId, StoreId, newOrderId } from '../../shared/identifiers';
import { createStoreSettingsReader, type StoreSettingsReader } from '../../shared/storeSettings';
import { describeRefusal, hasLoadLimits, refuseByLoad, refuseBySettings, type Refusal } from './gate';
import { countOpenOrders } from './openCounts';
import { SpanKind, contextFromTraceparent, inSpan, traceparentOf, withOrderContexts } from '../../shared/tracing';
import { businessMetrics } from '../../shared/metrics';
import { context as activeContext, trace, type Context } from '@opentelemetry/api';

export const ListQuery = z.strictObject({
  customerId: CustomerId.optional(),
  storeId: StoreId.optional(),
  status: z.enum(ORDER_STATUSES).optional(),
  limit: ListLimit,
  cursor: Cursor,
});

/** `DELETE /customers/{customerId}`: how many orders' erasure was asked for. */
export const ErasureAnswer = z.object({ orders: z.int().min(0), status: z.literal('erasing') }).meta({ id: 'Erasure' });

interface KeyClaim {
  customerId: string;
  key: string;
  fingerprint: string;
}

/** The request as the order is built from it (defaults applied), so `storeId` left out equals `"main"`. */
function fingerprintOfOrder(body: PlaceOrderBody): string {
  return fingerprintOf([body.storeId, body.customerId, body.items.map((item) => [item.menuItemId, item.quantity])]);
}

function accepted(order: Order): HttpResponseInit {
  return json(202, order, { location: `/orders/${order.id}` });
}

function refused(refusal: Refusal, storeId: string) {
  const { slug, title, detail, errors } = describeRefusal(refusal, storeId);
  const headers = refusal.kind === 'store-busy' ? { 'retry-after': String(refusal.retryAfterSeconds) } : undefined;
  return problem(refusal.status, slug, title, detail, errors, headers);
}

/**
 * The trace an order starts in: the invocation's (the Functions host's request span on Azure), else a
 * `traceparent` the client sent, else a new one.
 */
function intakeParent(request: HttpRequest): Context {
  const active = activeContext.active();
  if (trace.getSpanContext(active)) return active;
  return contextFromTraceparent(request.headers.get('traceparent')) ?? active;
}

/** The publish gets at most this long of the intake's budget: the open row and the sweep cover a slow hub. */
const PUBLISH_TIMEOUT_MS = 3_000;

export interface OrdersApiOptions {
  /** The rows the order consumer of this process caches: intake puts each new order there. */
  orderCache?: RowCache<OrderRow & { etag: string }>;
  /** Each store's settings (open, sold-out drinks, limits); the process's shared reader in production. */
  storeSettings?: StoreSettingsReader;
}

export function createOrdersApi(deps: ServiceDeps, options: OrdersApiOptions = {}) {
  const orders = () => deps.table(TABLES.orders);
  const storeSettings = options.storeSettings ?? createStoreSettingsReader(() => deps.table(TABLES.stores));

  /**
   * Whether the store refuses this order: its settings decide at once (cached: no round trip in the
   * common case); a store with a load limit adds one bounded query of its open orders. Reads only.
   */
  async function refusalFor(client: TableClient, body: PlaceOrderBody, budget: Deadline): Promise<Refusal | undefined> {
    const settings = await budget.within('reading the store settings', () => storeSettings.get(body.storeId));
    const refusal = refuseBySettings(settings, body.items);
    if (refusal || !hasLoadLimits(settings)) return refusal;
    const counts = await budget.within('counting open orders', (abortSignal) => countOpenOrders(client, body.storeId, body.customerId, settings, { abortSignal }));
    return refuseByLoad(settings, counts, body.items, deps.settings.brewSeconds);
  }

  /** The row a customer's Idempotency-Key holds, if any (within the intake's budget). */
  const readKey = (client: TableClient, at: { partitionKey: string; rowKey: string }, budget: Deadline) =>
    budget.within('reading the Idempotency-Key', (abortSignal) => getOrUndefined<IdempotencyRow>(client, at.partitionKey, at.rowKey, { abortSignal }));

  /** The order with this id, if stored (within the intake's budget). */
  const readOrder = async (client: TableClient, id: string, budget: Deadline): Promise<Order | undefined> => {
    const row = await budget.within('reading the order', (abortSignal) => getOrUndefined<OrderRow>(client, orderAt(id).partitionKey, id, { abortSignal }));
    return row && fromRow(row);
  };

  /**
   * Whether the key already stands for an order, when the store would refuse a new one now: a client
   * retrying an order taken before the store closed (or filled up, its own order among the count) gets
   * that order back, not a refusal. A key whose first request died before the order row (`order`
   * absent) was admitted then, so the repeat finishes it rather than being refused: the sweep would
   * place it anyway. Reads only, so a refusal still writes nothing.
   */
  async function admittedEarlier(client: TableClient, key: KeyClaim, now: Date, budget: Deadline): Promise<{ order?: Order } | undefined> {
    const held = await readKey(client, idempotencyKeyAt(key.customerId, key.key), budget);
    if (!held) return undefined;
    const decision = decideKey(held, key.fingerprint, now);
    if (decision === 'mismatch') throw keyReused();
    if (decision !== 'repeat') return undefined;
    const order = await readOrder(client, held.orderId, budget);
    return order ? { order } : {};
  }

  /**
   * The order a customer's Idempotency-Key already stands for (`repeat`), or a new id claimed for it.
   * The key row records the body's fingerprint and an expiry: another body under a live key is refused
   * (422, nothing written), an expired key is claimed anew (replaced under its ETag, so two requests
   * reusing it at once still agree on one order).
   */
  async function claimId(client: TableClient, key: KeyClaim | undefined, candidate: string, now: Date, budget: Deadline): Promise<{ id: string; repeat: boolean }> {
    if (key === undefined) return { id: candidate, repeat: false };
    const at = idempotencyKeyAt(key.customerId, key.key);
    const claim = { ...at, orderId: candidate, fingerprint: key.fingerprint, expiresAt: expiryFrom(now, deps.settings.idempotencyTtlHours) };
    for (let attempt = 0; attempt < 3; attempt++) {
      if (await budget.within('claiming the Idempotency-Key', (abortSignal) => createIfAbsent(client, claim, { abortSignal }))) {
        return { id: candidate, repeat: false };
      }
      const held = await readKey(client, at, budget);
      if (!held) continue;
      const decision = decideKey(held, key.fingerprint, now);
      if (decision === 'mismatch') throw keyReused();
      if (decision === 'repeat') return { id: held.orderId, repeat: true };
      try {
        await budget.within('renewing the Idempotency-Key', (abortSignal) => client.updateEntity(claim, 'Replace', { etag: held.etag, abortSignal }));
        return { id: candidate, repeat: false };
      } catch (error) {
        if (!isPreconditionFailed(error)) throw error; // another request renewed it first: read it again
      }
    }
    throw problem(409, 'conflict', 'Conflict', 'Another request with this Idempotency-Key is in progress; try again.');
  }

  /** The intake itself, in its span (`orderTrace`): the order's trace is stored with its open row for the sweep. */
  async function place(request: HttpRequest, context: InvocationContext, orderTrace: Context): Promise<HttpResponseInit> {
    const budget = deadline(1000 * deps.settings.intakeTimeoutSeconds);
    const rawKey = request.headers.get('idempotency-key');
    const idempotencyKey = rawKey === null ? undefined : parseWith(IdempotencyKeyHeader, rawKey, 'Idempotency-Key header');
    const body = await parseJsonBody(request, PlaceOrderBody);
    const client = await budget.within('opening the orders table', () => orders());
    const now = deps.now();
    const key = idempotencyKey === undefined ? undefined : { customerId: body.customerId, key: idempotencyKey, fingerprint: fingerprintOfOrder(body) };
    // Before anything is written: a refused order leaves no key, open row or order behind.
    const refusal = await refusalFor(client, body, budget);
    if (refusal) {
      const earlier = key && (await admittedEarlier(client, key, now, budget));
      if (earlier?.order) return accepted(earlier.order);
      if (!earlier) {
        context.log(`order refused storeId=${body.storeId} reason=${refusal.kind}`);
        throw refused(refusal, body.storeId);
      }
    }
    const { id, repeat } = await claimId(client, key, newOrderId(now), now, budget);
    trace.getSpan(orderTrace)?.setAttribute('cafe.order_id', id);
    if (repeat) {
      // The first request may still be writing, or may have died before the order row: then this
      // request finishes the job with the same id.
      const existing = await readOrder(client, id, budget);
      if (existing) return accepted(existing);
    }

    const order = newOrder(id, body, now);
    const event = orderPlaced(order);
    const traceparent = traceparentOf(orderTrace);
    const open: OpenRow = {
      event: JSON.stringify(event),
      nextNudgeAt: new Date(now.getTime() + 1000 * deps.settings.orderNudgeAfterSeconds).toISOString(),
      nudges: 0,
      idempotent: key !== undefined,
      storeId: order.storeId,
      customerId: order.customerId,
      ...(traceparent ? { traceparent } : {}),
    };
    await budget.within('storing the open order', (abortSignal) => createIfAbsent(client, { partitionKey: OPEN_PARTITION, rowKey: id, ...open }, { abortSignal }));
    const entity = toRow(order);
    const created = await budget.within('storing the order', async (abortSignal) => {
      try {
        return await client.createEntity(entity, { abortSignal });
      } catch (error) {
        if (isConflict(error)) return undefined;
        throw error;
      }
    });
    if (!created) {
      // Another request with the same key stored it a moment ago: it is there.
      const stored = await readOrder(client, id, budget);
      if (!stored) throw new Error(`order ${id} was stored by another request but cannot be read`);
      return accepted(stored);
    }
    // The consumer in this process then finds the order without reading it (ETag-guarded, so safe).
    if (created.etag) options.orderCache?.set(id, { ...entity, etag: created.etag });
    businessMetrics.orderPlaced(order.storeId);
    try {
      const publish = (abortSignal: AbortSignal) => withOrderContexts(new Map([[id, orderTrace]]), () => deps.publisher.publish([event], { abortSignal }));
      await budget.within('publishing OrderPlaced', publish, PUBLISH_TIMEOUT_MS);
    } catch (error) {
      context.warn(`order ${id} stored but OrderPlaced not yet published; the sweep will retry`, error);
    }
    context.log(`order placed orderId=${id} storeId=${order.storeId} cups=${order.cups}`);
    return accepted(order);
  }

  return {
    /**
     * Stores the order, then publishes OrderPlaced. The open-order row is written first and stays until
     * the order is final, so an order whose publish failed (or whose process died) is re-driven by
     * the sweep rather than stranded in `pending`. The whole intake runs within INTAKE_TIMEOUT_SECONDS
     * (storage calls are aborted at the bound: 503), and the publish within a few seconds of it (a
     * publish that fails or times out leaves the order to the sweep: still 202). The sweep's grace
     * period is longer than this bound (checked at start), so it never acts on an intake still running.
     */
    placeOrder(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
      return inSpan('placeOrder', SpanKind.SERVER, (_span, orderTrace) => place(request, context, orderTrace), intakeParent(request));
    },

    async getOrder(request: HttpRequest): Promise<HttpResponseInit> {
      const id = pathId(OrderId, request.params.id, 'order');
      const row = await getOrUndefined<OrderRow>(await orders(), orderAt(id).partitionKey, id);
      if (!row) throw notFound(`There is no order ${id}.`);
      return json(200, fromRow(row));
    },

    /** Staff see the orders of their stores (the guard refused any other `storeId`); operators every store's. */
    async listOrders(request: HttpRequest, _context?: InvocationContext, caller?: Caller): Promise<HttpResponseInit> {
      const q = parseWith(ListQuery, queryObject(request), 'query');
      const filters = [odata`PartitionKey lt ${ORDER_PARTITIONS_END}`];
      const scope = q.storeId ? undefined : storesFilter(caller);
      if (scope === false) return json(200, []);
      if (scope && caller && caller.stores !== 'all' && caller.stores.length > MAX_SCOPED_STORES) {
        throw problem(400, 'store-required', 'Store required', `You serve more than ${MAX_SCOPED_STORES} stores: name one with ?storeId=.`);
      }
      if (scope) filters.push(scope);
      if (q.customerId) filters.push(odata`customerId eq ${q.customerId}`);
      if (q.storeId) filters.push(odata`storeId eq ${q.storeId}`);
      if (q.status) filters.push(odata`status eq ${q.status}`);
      // Bucket partitions and order ids both sort newest first, so pages come newest first.
      const page = await listPage<OrderRow>(await orders(), filters.join(' and '), q.limit, q.cursor);
      return json(200, page.rows.map(fromRow), nextLink(request, page.next));
    },

    /**
     * Erases a customer's personal data everywhere: one CustomerErased event per order they placed, and
     * every service that keeps the id (orders, kiosk, beverages, notifications) drops it when the event
     * reaches it. Publishing comes first and changes nothing here, so a failed call is simply repeated.
     * An order still in progress would publish the id again, so erasure waits until it is final.
     */
    async eraseCustomer(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
      const customerId = parseWith(CustomerId, request.params.customerId, 'customer id');
      const rows = await listAll<OrderRow>(await orders(), `${odata`PartitionKey lt ${ORDER_PARTITIONS_END}`} and ${odata`customerId eq ${customerId}`}`);
      const ofCustomer = rows.map(fromRow);
      const open = ofCustomer.filter((order) => !isFinal(order.status));
      if (open.length > 0) {
        throw problem(409, 'order-in-progress', 'Order in progress', `The customer has ${open.length} order(s) in progress; erase once they are final.`);
      }
      const now = deps.now().toISOString();
      const events = ofCustomer.map((order) => makeEvent('CustomerErased', { orderId: order.id, storeId: order.storeId, occurredAt: now, customerId }));
      if (events.length > 0) await deps.publisher.publish(events);
      context.log(`customer erasure requested for ${events.length} order(s)`);
      return json(202, { orders: events.length, status: 'erasing' } satisfies z.infer<typeof ErasureAnswer>);
    },
  };
}
