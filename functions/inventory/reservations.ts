import type { InvocationContext } from '@azure/functions';
import type { TableClient, TransactionAction } from '@azure/data-tables';
import { makeEvent, type CafeEvent, type OrderCancelled, type OrderPlaced } from '../../shared/events';
import { groupBy } from '../../shared/collections';
import type { EventFailure } from '../../shared/consumer';
import type { ServiceDeps } from '../../shared/deps';
import { withConflictRetry } from '../../shared/retry';
import { isTransactionConflict, odata } from '../../shared/tables';
import { TABLES } from '../../shared/topology';
import { announces, compensate, reserveInTurn, type Decision, type Reservation } from './stock';
import { STOCK_ROW, type StockRow } from './stockRows';

interface ReservationRow {
  outcome: Decision;
  cups: number;
  available: number;
  decidedAt: string;
  releasedAt?: string;
}

type Decided = Pick<ReservationRow, 'outcome' | 'cups' | 'available'>;

const reservationKey = (orderId: string) => `res_${orderId}`;
/**
 * Orders decided per round trip. Table Storage allows at most 15 comparisons in one filter: the
 * partition, the stock row and 12 reservations make 14 (a transaction could take 99).
 */
const CHUNK = 12;

function outcomeEvent(order: OrderPlaced, r: { outcome: Reservation['outcome']; available: number }, now: Date): CafeEvent {
  const base = { orderId: order.orderId, storeId: order.storeId, occurredAt: now.toISOString() };
  return r.outcome === 'reserved'
    ? makeEvent('CupsReserved', { ...base, customerId: order.customerId, items: order.items, cups: order.cups })
    : makeEvent('CupsOutOfStock', { ...base, cups: order.cups, available: r.available });
}

/** One read for the stock row and the decisions already recorded for these orders. */
async function readStore(client: TableClient, storeId: string, orderIds: readonly string[]) {
  const keys = [STOCK_ROW, ...orderIds.map(reservationKey)];
  const rowFilter = keys.map((k) => odata`RowKey eq ${k}`).join(' or ');
  let stock: (StockRow & { etag: string }) | undefined;
  const decided = new Map<string, Decided & { etag: string }>();
  for await (const row of client.listEntities<StockRow & ReservationRow>({
    queryOptions: { filter: `${odata`PartitionKey eq ${storeId}`} and (${rowFilter})` },
  })) {
    if (row.rowKey === STOCK_ROW) stock = { cups: row.cups, updatedAt: row.updatedAt, etag: row.etag };
    else decided.set(row.rowKey!.slice(4), { outcome: row.outcome, cups: row.cups, available: row.available, etag: row.etag });
  }
  return { stock, decided };
}

/**
 * Decides one store's orders: the stock change and the reservation records commit together in one
 * ETag-guarded transaction, so concurrent writers (a restock, another instance after a rebalance)
 * can never make the stock go below zero or an order be decided twice. A conflict re-reads and
 * re-decides. Orders decided before (a redelivery, or cancelled first) keep their recorded decision.
 */
async function reserveForStore(deps: ServiceDeps, client: TableClient, storeId: string, orders: OrderPlaced[], outcomes: Map<string, Decided>) {
  for (let start = 0; start < orders.length; start += CHUNK) {
    const chunk = orders.slice(start, start + CHUNK);
    await withConflictRetry(async () => {
      const { stock, decided } = await readStore(client, storeId, chunk.map((o) => o.orderId));
      for (const [orderId, row] of decided) outcomes.set(orderId, row);
      const fresh = chunk.filter((o) => !decided.has(o.orderId));
      if (fresh.length === 0) return;

      const { reservations, remaining } = reserveInTurn(stock?.cups ?? 0, fresh.map((o) => ({ orderId: o.orderId, cups: o.cups })));
      const decidedAt = deps.now().toISOString();
      const actions: TransactionAction[] = reservations.map((r) => [
        'create',
        { partitionKey: storeId, rowKey: reservationKey(r.orderId), outcome: r.outcome, cups: r.cups, available: r.available, decidedAt },
      ]);
      if (stock && remaining !== stock.cups) {
        actions.unshift([
          'update',
          { partitionKey: storeId, rowKey: STOCK_ROW, cups: remaining, updatedAt: decidedAt },
          'Merge',
          { etag: stock.etag },
        ]);
      }
      await client.submitTransaction(actions);
      for (const r of reservations) outcomes.set(r.orderId, r);
    }, isTransactionConflict);
  }
}

/**
 * Compensates one store's cancelled orders: reserved cups go back to the stock and the reservation is
 * marked released in the same ETag-guarded transaction as the stock row, so they go back exactly once
 * whatever is redelivered; an order not decided yet gets a `cancelled` record instead, so an OrderPlaced
 * that arrives after the cancel (a redelivery, a replay) reserves nothing.
 */
async function compensateForStore(deps: ServiceDeps, client: TableClient, storeId: string, cancels: OrderCancelled[], outcomes: Map<string, Decided>) {
  const unique = [...new Map(cancels.map((c) => [c.orderId, c])).values()];
  for (let start = 0; start < unique.length; start += CHUNK) {
    const chunk = unique.slice(start, start + CHUNK);
    await withConflictRetry(async () => {
      const { stock, decided } = await readStore(client, storeId, chunk.map((c) => c.orderId));
      const at = deps.now().toISOString();
      const actions: TransactionAction[] = [];
      let released = 0;
      const after = new Map<string, Decided>();
      for (const cancel of chunk) {
        const record = decided.get(cancel.orderId);
        const step = compensate(record);
        if (step.action === 'release') {
          released += step.cups;
          actions.push(['update', { partitionKey: storeId, rowKey: reservationKey(cancel.orderId), outcome: 'released', releasedAt: at }, 'Merge', { etag: record!.etag }]);
          after.set(cancel.orderId, { ...record!, outcome: 'released' });
        } else if (step.action === 'close') {
          const row: Decided = { outcome: 'cancelled', cups: 0, available: stock?.cups ?? 0 };
          actions.push(['create', { partitionKey: storeId, rowKey: reservationKey(cancel.orderId), ...row, decidedAt: at }]);
          after.set(cancel.orderId, row);
        }
      }
      if (released > 0) {
        actions.unshift(
          stock
            ? ['update', { partitionKey: storeId, rowKey: STOCK_ROW, cups: stock.cups + released, updatedAt: at }, 'Merge', { etag: stock.etag }]
            : ['create', { partitionKey: storeId, rowKey: STOCK_ROW, cups: released, updatedAt: at }],
        );
      }
      if (actions.length > 0) await client.submitTransaction(actions);
      for (const [orderId, row] of after) outcomes.set(orderId, row);
    }, isTransactionConflict);
  }
}

/** Consecutive events of one kind, so reservations and compensations keep the order they arrived in. */
function runs(events: readonly (OrderPlaced | OrderCancelled)[]) {
  const result: (OrderPlaced | OrderCancelled)[][] = [];
  for (const event of events) {
    const last = result.at(-1);
    if (last && last[0]!.type === event.type) last.push(event);
    else result.push([event]);
  }
  return result;
}

export function createReservations(deps: ServiceDeps) {
  return async function reserveCups(events: (OrderPlaced | OrderCancelled)[], context: InvocationContext): Promise<EventFailure[]> {
    const client = await deps.table(TABLES.inventory);
    const failures: EventFailure[] = [];
    const outgoing: { source: OrderPlaced; event: CafeEvent }[] = [];
    for (const [storeId, ofStore] of groupBy(events, (event) => event.storeId)) {
      try {
        const outcomes = new Map<string, Decided>();
        const announced = new Map<string, OrderPlaced>();
        for (const run of runs(ofStore)) {
          if (run[0]!.type === 'OrderCancelled') {
            await compensateForStore(deps, client, storeId, run as OrderCancelled[], outcomes);
            // An order reserved and cancelled in the same batch announces nothing: its cups are back.
            for (const c of run) announced.delete(c.orderId);
            continue;
          }
          const orders = run as OrderPlaced[];
          // Keep the later copy of an order only once (a nudge can sit next to the original).
          await reserveForStore(deps, client, storeId, [...new Map(orders.map((o) => [o.orderId, o])).values()], outcomes);
          for (const order of orders) announced.set(order.orderId, order);
        }
        const now = deps.now();
        for (const order of announced.values()) {
          const outcome = outcomes.get(order.orderId);
          if (!outcome) failures.push({ eventId: order.id, error: new Error(`no reservation decided for ${order.orderId}`) });
          else if (announces(outcome.outcome)) outgoing.push({ source: order, event: outcomeEvent(order, { outcome: outcome.outcome, available: outcome.available }, now) });
        }
        context.log(`inventory store=${storeId} decided ${ofStore.length} event(s)`);
      } catch (error) {
        for (const event of ofStore) failures.push({ eventId: event.id, error });
      }
    }

    if (outgoing.length > 0) {
      try {
        await deps.publisher.publish([...new Map(outgoing.map((o) => [o.event.id, o.event])).values()]);
      } catch (error) {
        // The decisions are stored; a retry or redelivery finds them and publishes the outcomes again.
        for (const o of outgoing) failures.push({ eventId: o.source.id, error });
      }
    }
    return failures;
  };
}
