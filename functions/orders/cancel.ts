import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import type { TableClient } from '@azure/data-tables';
import type { ServiceDeps } from '../../shared/deps';
import { json, notFound, pathId, problem } from '../../shared/http';
import { OrderId } from '../../shared/identifiers';
import { withConflictRetry } from '../../shared/retry';
import { getOrUndefined, isPreconditionFailed } from '../../shared/tables';
import { TABLES } from '../../shared/topology';
import { CANCEL_REASONS, cancelRequested, isFinal, requestCancel, type CancelDecision, type Order } from './order';
import { OPEN_PARTITION, fromRow, orderAt, toRow, type OpenRow, type OrderRow } from './rows';
import { SpanKind, contextFromTraceparent, inSpan, withOrderContexts } from '../../shared/tracing';
import { context, trace } from '@opentelemetry/api';

/**
 * Records a cancel request on the order (ETag-guarded), the one step both the deadline and the
 * customer take. Publishing the CancelRequested is the caller's: beverages decides the race with
 * brewing and the order is cancelled when it answers.
 */
export async function recordCancel(client: TableClient, orderId: string, reason: string, now: Date): Promise<{ order: Order; decision: CancelDecision } | undefined> {
  return withConflictRetry(async () => {
    const at = orderAt(orderId);
    const row = await getOrUndefined<OrderRow>(client, at.partitionKey, at.rowKey);
    if (!row) return undefined;
    const order = fromRow(row);
    const decision = requestCancel(order, reason, now);
    if (decision.outcome !== 'requested') return { order, decision };
    await client.updateEntity(toRow(decision.next), 'Replace', { etag: row.etag });
    return { order: decision.next, decision };
  }, isPreconditionFailed);
}

/** A cancel still waiting for beverages' answer (asking again is harmless: the answer is recorded). */
export const awaitingCancel = (order: Order): order is Order & { cancel: NonNullable<Order['cancel']> } =>
  order.cancel !== undefined && !order.cancel.tooLate && !isFinal(order.status);

export function createCancelApi(deps: ServiceDeps) {
  /**
   * The cancel is a step of the order's saga, so CancelRequested goes on in the order's trace (kept
   * with its open row by the intake); the span links back to the customer's request.
   */
  async function publishInOrderTrace(client: TableClient, order: Parameters<typeof cancelRequested>[0]): Promise<void> {
    const request = trace.getSpanContext(context.active());
    const open = await getOrUndefined<OpenRow>(client, OPEN_PARTITION, order.id);
    const orderTrace = contextFromTraceparent(open?.traceparent);
    await inSpan(
      'cancelOrder CancelRequested',
      SpanKind.INTERNAL,
      async (span, ctx) => {
        span.setAttribute('cafe.order_id', order.id);
        if (request && orderTrace) span.addLink({ context: request });
        await withOrderContexts(new Map([[order.id, ctx]]), () => deps.publisher.publish([cancelRequested(order)]));
      },
      orderTrace ?? context.active(),
    );
  }

  return {
    /**
     * `POST /orders/{id}/cancel`: 202 with the order once the cancel is asked for; the order ends
     * `cancelled` (reason `customer-cancelled`) or, when brewing won the race, completes and the
     * customer is told the cancel came too late. Asking again answers the same.
     */
    async cancelOrder(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
      const id = pathId(OrderId, request.params.id, 'order');
      const client = await deps.table(TABLES.orders);
      const result = await recordCancel(client, id, CANCEL_REASONS.customer, deps.now());
      if (!result) throw notFound(`There is no order ${id}.`);
      const { order, decision } = result;
      if (decision.outcome === 'refused') {
        throw problem(
          409,
          decision.because === 'brewing' ? 'already-brewing' : 'order-final',
          'The order can no longer be cancelled',
          decision.because === 'brewing' ? `Order ${id} is already being brewed.` : `Order ${id} is already ${order.status}.`,
        );
      }
      if (awaitingCancel(order)) {
        try {
          await publishInOrderTrace(client, order);
        } catch (error) {
          context.warn(`cancel of ${id} recorded but not yet published; the sweep will retry`, error);
        }
      }
      if (decision.outcome === 'requested') context.log(`order cancel requested orderId=${id} storeId=${order.storeId} reason=${CANCEL_REASONS.customer}`);
      return json(202, order, { location: `/orders/${id}` });
    },
  };
}
