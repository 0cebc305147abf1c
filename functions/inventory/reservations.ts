import type { StoreSettingsReader } from '../../shared/storeSettings';
import type { InvocationContext } from '@azure/functions';
import type { TableClient, TableEntityResult, TransactionAction } from '@azure/data-tables';
import { makeEvent, type CafeEvent, type OrderCancelled, type OrderPlaced, type StockLow } from '../../shared/events';
import { chunksOf, groupBy } from '../../shared/collections';
import type { EventFailure } from '../../shared/consumer';
import type { ServiceDeps } from '../../shared/deps';
import { withConflictRetry } from '../../shared/retry';
import { RowCache } from '../../shared/rowCache';
import { MAX_TRANSACTION_OPERATIONS, getOrUndefined, isNotFound, isTransactionConflict, listAll, odata } from '../../shared/tables';
import { TABLES } from '../../shared/topology';
import { announces, compensate, reserveInTurn, type Reservation } from './stock';
import { createThresholds, logStockLow, lowFields, markAnnounced, owedStockLow } from './lowStock';
import { STOCK_ROW, archivePartition, orderIdOfReservation, reservationKey, type ReservationRow, type StockRow } from './rows';
import { mayBeArchived, readArchiveGuard, reservationFields, type ArchiveGuard } from './archive';
import { withoutExpired } from '../../shared/retention';

type Decided = Pick<ReservationRow, 'outcome' | 'cups' | 'available'>;

/** Orders decided per transaction: the stock row, the archive mark (a release of old orders) and up to 98 reservation records. */
const CHUNK = MAX_TRANSACTION_OPERATIONS - 2;

type HeldStock = StockRow & { etag: string };
/** A decision as read: from the hot partition with its ETag, or from the archive (then rewritten into the hot partition if it changes). */
type HeldDecision = Decided & ({ etag: string; archivedRow?: undefined } | { archivedRow: ReservationRow });

function outcomeEvent(order: OrderPlaced, r: { outcome: Reservation['outcome']; available: number }, now: Date): CafeEvent {
  const base = { orderId: order.orderId, storeId: order.storeId, occurredAt: now.toISOString() };
  return r.outcome === 'reserved'
    ? makeEvent('CupsReserved', { ...base, customerId: order.customerId, items: order.items, cups: order.cups })
    : makeEvent('CupsOutOfStock', { ...base, cups: order.cups, available: r.available });
}

function decisionOf(row: ReservationRow & { etag: string }): HeldDecision {
  return { outcome: row.outcome, cups: row.cups, available: row.available, etag: row.etag };
}

function archivedDecisionOf(row: ReservationRow): HeldDecision {
  const fields = reservationFields(row);
  return { ...fields, archivedRow: fields };
}

/**
 * The decisions recorded for a batch's orders, in one bounded range read: order ids count down, so the
 * batch's orders are one short key range of the store's partition (the orders placed in between, and
 * nothing older). Never a filter of OR'd keys, which Table Storage answers with a partition scan.
 */
async function readDecidedRange(client: TableClient, storeId: string, orderIds: readonly string[]): Promise<Map<string, HeldDecision>> {
  if (orderIds.length === 0) return new Map();
  const keys = orderIds.map(reservationKey).sort();
  const wanted = new Set(orderIds);
  const rows = await listAll<ReservationRow>(client, odata`PartitionKey eq ${storeId} and RowKey ge ${keys[0]!} and RowKey le ${keys.at(-1)!}`);
  const decided = new Map<string, HeldDecision>();
  for (const row of rows) {
    const orderId = orderIdOfReservation(row.rowKey!);
    if (wanted.has(orderId)) decided.set(orderId, decisionOf(row));
  }
  return decided;
}

/** The reservations of these orders in one partition (the store's, or its archive): point reads, together. */
async function readReservations(client: TableClient, partitionKey: string, orderIds: readonly string[]): Promise<Map<string, TableEntityResult<ReservationRow>>> {
  const rows = await Promise.all(orderIds.map(async (orderId) => [orderId, await getOrUndefined<ReservationRow>(client, partitionKey, reservationKey(orderId))] as const));
  return new Map(rows.flatMap(([orderId, row]) => (row ? [[orderId, row] as const] : [])));
}

/** The decisions recorded in the store's partition for orders that may lie far apart (cancels, late copies): one point read each, together. */
async function readDecidedEach(client: TableClient, storeId: string, orderIds: readonly string[]): Promise<Map<string, HeldDecision>> {
  return new Map([...(await readReservations(client, storeId, orderIds))].map(([orderId, row]) => [orderId, decisionOf(row)]));
}

/**
 * The decisions of orders old enough that the retention timer may have moved them to the store's
 * archive (late copies: a replay, a nudge or a cancel a day on), and the archive mark a write about
 * them commits with. The mark is read first: a move or another late write after it makes that
 * commit fail (archive.ts), so nothing read here can be acted on once stale. Then the store's
 * partition (a row there wins: a release from the archive lands there), then the archive for the
 * rest; the timer copies before it deletes, so an order decided before these reads is found.
 * Nothing for young orders, the usual case.
 */
async function readOldDecisions(client: TableClient, storeId: string, old: ReadonlySet<string>, now: Date): Promise<{ decided: Map<string, HeldDecision>; guard?: ArchiveGuard }> {
  if (old.size === 0) return { decided: new Map() };
  const guard = await readArchiveGuard(client, storeId, now);
  const hot = await readDecidedEach(client, storeId, [...old]);
  const archived = await readReservations(client, archivePartition(storeId), [...old].filter((orderId) => !hot.has(orderId)));
  return { guard, decided: new Map([...hot, ...[...archived].map(([orderId, row]) => [orderId, archivedDecisionOf(row)] as const)]) };
}

/** The orders of `ids` old enough that their reservations may be archived. */
const oldOnes = (ids: readonly string[], now: Date) => new Set(ids.filter((orderId) => mayBeArchived(orderId, now)));

/** The stock row's own fields, without the keys, timestamp and ETag a read entity also carries. */
function stockFields(row: StockRow): StockRow {
  const { cups, updatedAt, low, crossings, announced, crossedCups, crossedThreshold, crossedAt } = row;
  const mark = { low, crossings, announced, crossedCups, crossedThreshold, crossedAt };
  return { cups, updatedAt, ...Object.fromEntries(Object.entries(mark).filter(([, v]) => v !== undefined)) };
}

const heldOf = (row: StockRow, etag: string): HeldStock => ({ ...stockFields(row), etag });

/**
 * The store's stock as this instance last wrote it, or read. Every write that uses it is conditional
 * on its ETag, so a stale copy (a restock, another instance) fails the transaction and is read again.
 */
async function stockOf(client: TableClient, cache: RowCache<HeldStock>, storeId: string): Promise<HeldStock | undefined> {
  const cached = cache.get(storeId);
  if (cached) return cached;
  const row = await getOrUndefined<StockRow>(client, storeId, STOCK_ROW);
  const stock = row && heldOf(row, row.etag);
  if (stock) cache.set(storeId, stock);
  return stock;
}

/**
 * Decides one store's orders: the stock change and the reservation records commit together in one
 * ETag-guarded transaction, so concurrent writers (a restock, another instance after a rebalance)
 * can never make the stock go below zero or an order be decided twice. New orders are decided without
 * reading their records: the records are created, so an order decided before (a redelivery, or
 * cancelled first) fails the transaction, and the retry reads the records and keeps them. Orders over
 * a day old (late copies) are read first, in both partitions, under the archive mark (readOldDecisions).
 */
async function reserveForStore(
  deps: ServiceDeps,
  client: TableClient,
  cache: RowCache<HeldStock>,
  storeId: string,
  lowStockCups: number,
  orders: OrderPlaced[],
  outcomes: Map<string, Decided>,
) {
  for (const chunk of chunksOf(orders, CHUNK)) {
    let readRecords = false;
    await withConflictRetry(async () => {
      const cached = cache.get(storeId) !== undefined;
      let stock = await stockOf(client, cache, storeId);
      const now = deps.now();
      const old = oldOnes(chunk.map((o) => o.orderId), now);
      // Young orders: created without reading first (a conflict, then one range read); old ones are read each.
      const young = readRecords ? chunk.filter((o) => !old.has(o.orderId)).map((o) => o.orderId) : [];
      const [fromRange, { decided: fromOld, guard }] = await Promise.all([readDecidedRange(client, storeId, young), readOldDecisions(client, storeId, old, now)]);
      const decided = new Map([...fromRange, ...fromOld]);
      for (const [orderId, row] of decided) outcomes.set(orderId, row);
      const fresh = chunk.filter((o) => !decided.has(o.orderId));
      if (fresh.length === 0) return;

      const requests = fresh.map((o) => ({ orderId: o.orderId, cups: o.cups }));
      let { reservations, remaining } = reserveInTurn(stock?.cups ?? 0, requests);
      if (cached && reservations.some((r) => r.outcome === 'out-of-stock')) {
        // A refusal writes no stock, so no ETag would catch a restock made since the copy was kept:
        // refuse only on the stock as it stands.
        cache.delete(storeId);
        stock = await stockOf(client, cache, storeId);
        ({ reservations, remaining } = reserveInTurn(stock?.cups ?? 0, requests));
      }
      const decidedAt = deps.now().toISOString();
      const actions: TransactionAction[] = reservations.map((r) => [
        'create',
        { partitionKey: storeId, rowKey: reservationKey(r.orderId), outcome: r.outcome, cups: r.cups, available: r.available, decidedAt },
      ]);
      const stockChanges = stock !== undefined && remaining !== stock.cups;
      // A crossing of the low-stock threshold is recorded with the cups that made it: once, however the write is retried.
      const next: StockRow | undefined = stock && { ...stockFields(stock), cups: remaining, updatedAt: decidedAt, ...lowFields(stock, remaining, lowStockCups, decidedAt) };
      if (stock && next && stockChanges) {
        actions.unshift(['update', { partitionKey: storeId, rowKey: STOCK_ROW, ...next }, 'Merge', { etag: stock.etag }]);
      }
      if (guard && fresh.some((o) => old.has(o.orderId))) actions.push(guard.action);
      try {
        const response = await client.submitTransaction(actions);
        const etag = stockChanges ? response.subResponses[0]?.etag : undefined;
        if (etag && next) cache.set(storeId, heldOf(next, etag));
        else if (stockChanges) cache.delete(storeId);
      } catch (error) {
        cache.delete(storeId);
        readRecords = true;
        throw error;
      }
      for (const r of reservations) outcomes.set(r.orderId, r);
    }, isTransactionConflict);
  }
}

/** A release whose reservation the timer moved (or expired) between the read and the write fails as not found: read again. */
const movedOrConflicting = (error: unknown) => isTransactionConflict(error) || isNotFound(error);

/**
 * Compensates one store's cancelled orders: reserved cups go back to the stock and the reservation is
 * marked released in the same ETag-guarded transaction as the stock row, so they go back exactly once
 * whatever is redelivered; an order not decided yet gets a `cancelled` record instead, so an OrderPlaced
 * that arrives after the cancel (a redelivery, a replay) reserves nothing.
 */
async function compensateForStore(
  deps: ServiceDeps,
  client: TableClient,
  cache: RowCache<HeldStock>,
  storeId: string,
  lowStockCups: number,
  cancels: OrderCancelled[],
  outcomes: Map<string, Decided>,
) {
  const unique = [...new Map(cancels.map((c) => [c.orderId, c])).values()];
  for (const chunk of chunksOf(unique, CHUNK)) {
    await withConflictRetry(async () => {
      const now = deps.now();
      const old = oldOnes(chunk.map((c) => c.orderId), now);
      const young = chunk.filter((c) => !old.has(c.orderId)).map((c) => c.orderId);
      const [stock, hot, { decided: fromOld, guard }] = await Promise.all([stockOf(client, cache, storeId), readDecidedEach(client, storeId, young), readOldDecisions(client, storeId, old, now)]);
      const decided = new Map([...hot, ...fromOld]);
      const at = now.toISOString();
      const actions: TransactionAction[] = [];
      let released = 0;
      const after = new Map<string, Decided>();
      for (const cancel of chunk) {
        const record = decided.get(cancel.orderId);
        const step = compensate(record);
        if (step.action === 'release') {
          released += step.cups;
          const key = { partitionKey: storeId, rowKey: reservationKey(cancel.orderId) };
          // An archived decision comes back to the hot partition, released, with the stock it gives cups
          // back to; the timer's next move overwrites the archived copy with it.
          actions.push(
            record!.archivedRow
              ? ['create', { ...key, ...record!.archivedRow, outcome: 'released', releasedAt: at }]
              : ['update', { ...key, outcome: 'released', releasedAt: at }, 'Merge', { etag: record!.etag }],
          );
          after.set(cancel.orderId, { ...record!, outcome: 'released' });
        } else if (step.action === 'close') {
          const row: Decided = { outcome: 'cancelled', cups: 0, available: stock?.cups ?? 0 };
          actions.push(['create', { partitionKey: storeId, rowKey: reservationKey(cancel.orderId), ...row, decidedAt: at }]);
          after.set(cancel.orderId, row);
        }
      }
      if (released > 0) {
        // Cups coming back can lift the stock above the threshold, which re-arms the low-stock mark.
        const cups = (stock?.cups ?? 0) + released;
        const row = { partitionKey: storeId, rowKey: STOCK_ROW, cups, updatedAt: at, ...lowFields(stock, cups, lowStockCups, at) };
        actions.unshift(stock ? ['update', row, 'Merge', { etag: stock.etag }] : ['create', row]);
      }
      if (guard && [...after.keys()].some((orderId) => old.has(orderId))) actions.push(guard.action);
      try {
        if (actions.length > 0) await client.submitTransaction(actions);
      } catch (error) {
        cache.delete(storeId);
        throw error;
      }
      // A release wrote the stock row without keeping its new ETag: the next decision reads it again.
      // A cancel that released nothing left it as held.
      if (released > 0) cache.delete(storeId);
      for (const [orderId, row] of after) outcomes.set(orderId, row);
    }, movedOrConflicting);
  }
}

/**
 * Marks a published StockLow announced. Its failure fails no event: the event is out, and at worst it
 * goes out once more with the store's next batch, under the same id.
 */
async function announced(client: TableClient, cache: RowCache<HeldStock>, owed: { event: StockLow; etag: string }, context: InvocationContext): Promise<void> {
  logStockLow(context, owed.event);
  const { storeId, crossing } = owed.event;
  const held = cache.get(storeId);
  try {
    const etag = await markAnnounced(client, storeId, crossing, owed.etag);
    if (etag && held && held.etag === owed.etag) cache.set(storeId, { ...held, announced: crossing, etag });
    else cache.delete(storeId);
  } catch (error) {
    cache.delete(storeId);
    context.warn(`StockLow ${owed.event.id} published but not marked announced; it may be published once more: ${error instanceof Error ? error.message : String(error)}`);
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

const RESERVING = new Set(['OrderPlaced'] as const);

export function createReservations(deps: ServiceDeps, storeSettings?: StoreSettingsReader) {
  const stockCache = new RowCache<HeldStock>(1_000);
  const thresholdOf = createThresholds(deps, storeSettings);
  return async function reserveCups(batch: (OrderPlaced | OrderCancelled)[], context: InvocationContext): Promise<EventFailure[]> {
    // The retention timer deletes reservations of orders that old: a late copy must not reserve again.
    const events = withoutExpired(batch, RESERVING, deps.now(), deps.settings.retentionDays, context);
    const client = await deps.table(TABLES.inventory);
    const failures: EventFailure[] = [];
    const outgoing: { source: OrderPlaced; event: CafeEvent }[] = [];
    /** StockLow events owed, each with the store's events that fail (and come again) if it cannot be published. */
    const owed: { event: StockLow; sources: readonly CafeEvent[]; etag: string }[] = [];
    // Stores are separate partitions and decided independently: all of a batch's stores at once.
    await Promise.all([...groupBy(events, (event) => event.storeId)].map(async ([storeId, ofStore]) => {
      try {
        const lowStockCups = await thresholdOf(storeId);
        const outcomes = new Map<string, Decided>();
        const announced = new Map<string, OrderPlaced>();
        for (const run of runs(ofStore)) {
          if (run[0]!.type === 'OrderCancelled') {
            await compensateForStore(deps, client, stockCache, storeId, lowStockCups, run as OrderCancelled[], outcomes);
            // An order reserved and cancelled in the same batch announces nothing: its cups are back.
            for (const c of run) announced.delete(c.orderId);
            continue;
          }
          const orders = run as OrderPlaced[];
          // Keep the later copy of an order only once (a nudge can sit next to the original).
          await reserveForStore(deps, client, stockCache, storeId, lowStockCups, [...new Map(orders.map((o) => [o.orderId, o])).values()], outcomes);
          for (const order of orders) announced.set(order.orderId, order);
        }
        const now = deps.now();
        for (const order of announced.values()) {
          const outcome = outcomes.get(order.orderId);
          if (!outcome) failures.push({ eventId: order.id, error: new Error(`no reservation decided for ${order.orderId}`) });
          else if (announces(outcome.outcome)) outgoing.push({ source: order, event: outcomeEvent(order, { outcome: outcome.outcome, available: outcome.available }, now) });
        }
        // A crossing these events made, or one an earlier attempt recorded but could not announce (a redelivery).
        const stock = await stockOf(client, stockCache, storeId);
        const stockLow = owedStockLow(storeId, stock);
        if (stock && stockLow) owed.push({ event: stockLow, sources: ofStore, etag: stock.etag });
        context.log(`inventory store=${storeId} decided ${ofStore.length} event(s)`);
      } catch (error) {
        for (const event of ofStore) failures.push({ eventId: event.id, error });
      }
    }));

    if (outgoing.length > 0 || owed.length > 0) {
      try {
        await deps.publisher.publish([...new Map([...outgoing, ...owed].map((o) => [o.event.id, o.event])).values()]);
      } catch (error) {
        // The decisions and crossings are stored; a retry or redelivery finds them and publishes again.
        for (const o of outgoing) failures.push({ eventId: o.source.id, error });
        const failed = new Set(failures.map((f) => f.eventId));
        for (const source of owed.flatMap((o) => o.sources)) {
          if (!failed.has(source.id)) failures.push({ eventId: source.id, error });
          failed.add(source.id);
        }
        return failures;
      }
      await Promise.all(owed.map((o) => announced(client, stockCache, o, context)));
    }
    return failures;
  };
}
