import type { InvocationContext } from '@azure/functions';
import type { TableClient, TransactionAction } from '@azure/data-tables';
import { makeEvent, type CafeEvent, type OrderPlaced } from '../../shared/events';
import { groupBy } from '../../shared/collections';
import type { EventFailure } from '../../shared/consumer';
import type { ServiceDeps } from '../../shared/deps';
import { withConflictRetry } from '../../shared/retry';
import { isTransactionConflict, odata } from '../../shared/tables';
import { TABLES } from '../../shared/topology';
import { reserveInTurn, type Reservation } from './stock';
import { STOCK_ROW, type StockRow } from './stockRows';

interface ReservationRow {
  outcome: Reservation['outcome'];
  cups: number;
  available: number;
  decidedAt: string;
}

const reservationKey = (orderId: string) => `res_${orderId}`;
/**
 * Orders decided per round trip. Table Storage allows at most 15 comparisons in one filter: the
 * partition, the stock row and 12 reservations make 14 (a transaction could take 99).
 */
const CHUNK = 12;

function outcomeEvent(order: OrderPlaced, r: Pick<Reservation, 'outcome' | 'cups' | 'available'>, now: Date): CafeEvent {
  const base = { orderId: order.orderId, storeId: order.storeId, occurredAt: now.toISOString() };
  return r.outcome === 'reserved'
    ? makeEvent('CupsReserved', { ...base, customerId: order.customerId, items: order.items, cups: order.cups })
    : makeEvent('CupsOutOfStock', { ...base, cups: order.cups, available: r.available });
}

/** One read for the stock row and the reservations already decided for these orders. */
async function readStore(client: TableClient, storeId: string, orderIds: readonly string[]) {
  const keys = [STOCK_ROW, ...orderIds.map(reservationKey)];
  const rowFilter = keys.map((k) => odata`RowKey eq ${k}`).join(' or ');
  let stock: (StockRow & { etag: string }) | undefined;
  const decided = new Map<string, ReservationRow>();
  for await (const row of client.listEntities<StockRow & ReservationRow>({
    queryOptions: { filter: `${odata`PartitionKey eq ${storeId}`} and (${rowFilter})` },
  })) {
    if (row.rowKey === STOCK_ROW) stock = { cups: row.cups, updatedAt: row.updatedAt, etag: row.etag };
    else decided.set(row.rowKey!.slice(4), { outcome: row.outcome, cups: row.cups, available: row.available, decidedAt: row.decidedAt });
  }
  return { stock, decided };
}

/**
 * Decides one store's orders: the stock change and the reservation records commit together in one
 * ETag-guarded transaction, so concurrent writers (a restock, another instance after a rebalance)
 * can never make the stock go below zero or an order be decided twice. A conflict re-reads and
 * re-decides. Orders decided before (a redelivery) keep their recorded outcome.
 */
async function reserveForStore(deps: ServiceDeps, client: TableClient, storeId: string, orders: OrderPlaced[]) {
  const outcomes = new Map<string, Pick<Reservation, 'outcome' | 'cups' | 'available'>>();
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
  return outcomes;
}

export function createReservations(deps: ServiceDeps) {
  return async function reserveCups(events: OrderPlaced[], context: InvocationContext): Promise<EventFailure[]> {
    const client = await deps.table(TABLES.inventory);
    const failures: EventFailure[] = [];
    const outgoing: { source: OrderPlaced; event: CafeEvent }[] = [];
    for (const [storeId, orders] of groupBy(events, (event) => event.storeId)) {
      try {
        // Keep the later copy of an order only once (a nudge can sit next to the original).
        const unique = [...new Map(orders.map((o) => [o.orderId, o])).values()];
        const outcomes = await reserveForStore(deps, client, storeId, unique);
        const now = deps.now();
        for (const order of orders) {
          const outcome = outcomes.get(order.orderId);
          if (outcome) outgoing.push({ source: order, event: outcomeEvent(order, outcome, now) });
          else failures.push({ eventId: order.id, error: new Error(`no reservation decided for ${order.orderId}`) });
        }
        context.log(`inventory store=${storeId} decided ${orders.length} order(s)`);
      } catch (error) {
        for (const order of orders) failures.push({ eventId: order.id, error });
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
