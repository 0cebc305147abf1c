import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import type { Caller } from '../../shared/auth/policy';
import { MAX_SCOPED_STORES, storesFilter } from '../../shared/auth/scope';
import type { TableClient } from '@azure/data-tables';
import { z } from 'zod';
import type { ServiceDeps } from '../../shared/deps';
import { json, notFound, parseJsonBody, parseWith, pathId, problem, queryObject } from '../../shared/http';
import { keyFor, newOrderId } from '../../shared/identifiers';
import { createIfAbsent, getOrUndefined, listAll, odata } from '../../shared/tables';
import { TABLES } from '../../shared/topology';
import { IdempotencyKey, ORDER_STATUSES, PlaceOrderBody, isFinal, newOrder, orderPlaced, type Order } from './order';
import { makeEvent } from '../../shared/events';
import { IDEMPOTENCY_PARTITION, OPEN_PARTITION, ORDER_ROW, fromRow, toRow, type OpenRow, type OrderRow } from './rows';
import { CustomerId, ListLimit, OrderId, StoreId } from '../../shared/identifiers';

const ListQuery = z.strictObject({
  customerId: CustomerId.optional(),
  storeId: StoreId.optional(),
  status: z.enum(ORDER_STATUSES).optional(),
  limit: ListLimit,
});


function accepted(order: Order): HttpResponseInit {
  return json(202, order, { location: `/orders/${order.id}` });
}

export function createOrdersApi(deps: ServiceDeps) {
  const orders = () => deps.table(TABLES.orders);

  /** The order an Idempotency-Key already stands for (`repeat`), or a new id claimed for it. */
  async function claimId(client: TableClient, key: string | undefined, candidate: string): Promise<{ id: string; repeat: boolean }> {
    if (key === undefined) return { id: candidate, repeat: false };
    const rowKey = keyFor(key);
    if (await createIfAbsent(client, { partitionKey: IDEMPOTENCY_PARTITION, rowKey, orderId: candidate })) return { id: candidate, repeat: false };
    const claimed = await client.getEntity<{ orderId: string }>(IDEMPOTENCY_PARTITION, rowKey);
    return { id: claimed.orderId, repeat: true };
  }

  return {
    /**
     * Stores the order, then publishes OrderPlaced. The open-order row is written first and stays until
     * the order is final, so an order whose publish failed (or whose process died) is re-driven by
     * the sweep rather than stranded in `pending`.
     */
    async placeOrder(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
      const rawKey = request.headers.get('idempotency-key');
      const key = rawKey === null ? undefined : parseWith(IdempotencyKey, rawKey, 'Idempotency-Key header');
      const body = await parseJsonBody(request, PlaceOrderBody);
      const client = await orders();
      const now = deps.now();
      const { id, repeat } = await claimId(client, key, newOrderId(now));
      if (repeat) {
        // The first request may still be writing, or may have died before the order row: then this
        // request finishes the job with the same id.
        const existing = await getOrUndefined<OrderRow>(client, id, ORDER_ROW);
        if (existing) return accepted(fromRow(existing));
      }

      const order = newOrder(id, body, now);
      const event = orderPlaced(order);
      const open: OpenRow = {
        event: JSON.stringify(event),
        nextNudgeAt: new Date(now.getTime() + 1000 * deps.settings.orderNudgeAfterSeconds).toISOString(),
        nudges: 0,
        idempotent: key !== undefined,
      };
      await createIfAbsent(client, { partitionKey: OPEN_PARTITION, rowKey: id, ...open });
      if (!(await createIfAbsent(client, toRow(order)))) {
        return accepted(fromRow(await client.getEntity<OrderRow>(id, ORDER_ROW)));
      }
      try {
        await deps.publisher.publish([event]);
      } catch (error) {
        context.warn(`order ${id} stored but OrderPlaced not yet published; the sweep will retry`, error);
      }
      context.log(`order placed orderId=${id} storeId=${order.storeId} cups=${order.cups}`);
      return accepted(order);
    },

    async getOrder(request: HttpRequest): Promise<HttpResponseInit> {
      const id = pathId(OrderId, request.params.id, 'order');
      const row = await getOrUndefined<OrderRow>(await orders(), id, ORDER_ROW);
      if (!row) throw notFound(`There is no order ${id}.`);
      return json(200, fromRow(row));
    },

    /** Staff see the orders of their stores (the guard refused any other `storeId`); operators every store's. */
    async listOrders(request: HttpRequest, _context?: InvocationContext, caller?: Caller): Promise<HttpResponseInit> {
      const q = parseWith(ListQuery, queryObject(request), 'query');
      const filters = [odata`RowKey eq ${ORDER_ROW}`];
      const scope = q.storeId ? undefined : storesFilter(caller);
      if (scope === false) return json(200, []);
      if (scope && caller && caller.stores !== 'all' && caller.stores.length > MAX_SCOPED_STORES) {
        throw problem(400, 'store-required', 'Store required', `You serve more than ${MAX_SCOPED_STORES} stores: name one with ?storeId=.`);
      }
      if (scope) filters.push(scope);
      if (q.customerId) filters.push(odata`customerId eq ${q.customerId}`);
      if (q.storeId) filters.push(odata`storeId eq ${q.storeId}`);
      if (q.status) filters.push(odata`status eq ${q.status}`);
      // Order ids sort newest first and rows come in key order, so the first `limit` matches are the newest.
      const rows = await listAll<OrderRow>(await orders(), filters.join(' and '), q.limit);
      return json(200, rows.map(fromRow).sort((a, b) => (a.id < b.id ? -1 : 1)));
    },

    /**
     * Erases a customer's personal data everywhere: one CustomerErased event per order they placed, and
     * every service that keeps the id (orders, kiosk, beverages, notifications) drops it when the event
     * reaches it. Publishing comes first and changes nothing here, so a failed call is simply repeated.
     * An order still in progress would publish the id again, so erasure waits until it is final.
     */
    async eraseCustomer(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
      const customerId = parseWith(CustomerId, request.params.customerId, 'customer id');
      const rows = await listAll<OrderRow>(await orders(), `${odata`RowKey eq ${ORDER_ROW}`} and ${odata`customerId eq ${customerId}`}`);
      const ofCustomer = rows.map(fromRow);
      const open = ofCustomer.filter((order) => !isFinal(order.status));
      if (open.length > 0) {
        throw problem(409, 'order-in-progress', 'Order in progress', `The customer has ${open.length} order(s) in progress; erase once they are final.`);
      }
      const now = deps.now().toISOString();
      const events = ofCustomer.map((order) => makeEvent('CustomerErased', { orderId: order.id, storeId: order.storeId, occurredAt: now, customerId }));
      if (events.length > 0) await deps.publisher.publish(events);
      context.log(`customer erasure requested for ${events.length} order(s)`);
      return json(202, { orders: events.length, status: 'erasing' });
    },
  };
}
