import type { TableClient, TransactionAction } from '@azure/data-tables';
import type { InvocationContext } from '@azure/functions';
import { applyBatched, type Held } from '../../shared/batchedRows';
import { chunksOf, groupBy } from '../../shared/collections';
import type { EventFailure } from '../../shared/consumer';
import type { ServiceDeps } from '../../shared/deps';
import { RowCache } from '../../shared/rowCache';
import { createStoreSettingsReader, type StoreSettingsReader } from '../../shared/storeSettings';
import { pauseAfterConflict } from '../../shared/retry';
import { MAX_TRANSACTION_OPERATIONS, getOrUndefined, isTransactionConflict } from '../../shared/tables';
import { TABLES } from '../../shared/topology';
import { applyEvents, localDate, NO_FIGURES, placedAt, withChanges, type SalesEvent } from './sales';
import { DAY_ROW, dayPartition, figuresOf, locatorAt, tallyKey, tallyOf, toDayRow, toTallyRow, type DayRow, type LocatorRow, type TallyRow } from './rows';

/** A located order: its day, and whether this call fixed it (then nothing of it can be counted yet). */
interface Located {
  orderId: string;
  day: LocatorRow;
  fresh: boolean;
}

/**
 * A day's figures as this instance last wrote them, and the run of its own writes they belong to: an
 * `epoch` starts whenever the figures are read from storage, and goes on while each write is made on
 * the ETag the previous one of this instance returned.
 */
type CachedDay = Held<DayRow> & { epoch: number };
/** An order's tally as this instance last wrote it, in the day's epoch of that write. */
type CachedTally = TallyRow & { etag: string; epoch: number };

export interface SalesCaches {
  /** Where orders are counted: a locator never changes once written. */
  locators: RowCache<Held<LocatorRow>>;
  /** Days' figures as this instance last wrote them (their ETags guard every write). */
  days: RowCache<CachedDay>;
  /**
   * Tallies this instance wrote. Every tally write also rewrites its day's figures under their ETag, so
   * while a day's epoch goes on nobody else has written any of its tallies: a tally cached in the epoch
   * of the cached figures is the stored one, and an order's completion needs no read of it. A new epoch
   * (the figures read again, after a lost race or an eviction) leaves every older tally to be read.
   */
  tallies: RowCache<CachedTally>;
}

let epochs = 0;

const ATTEMPTS = 8;
/** One transaction: the day's figures plus at most this many order tallies. */
const ORDERS_PER_TRANSACTION = MAX_TRANSACTION_OPERATIONS - 1;

/**
 * Counts a batch into the store days' figures. First each order is located (its day fixed by the first
 * of its events the projection sees, from its placing time in the store's time zone of that moment);
 * then, per day, the figures and the tallies of the batch's orders are decided together and committed in
 * one transaction under the figures' ETag: a redelivered event changes no tally, so it adds nothing; a
 * concurrent writer or a crash half-way leaves either all of a transaction or none of it.
 */
export function createSalesProjection(
  deps: ServiceDeps,
  settings: StoreSettingsReader = createStoreSettingsReader(() => deps.table(TABLES.stores)),
  caches: SalesCaches = { locators: new RowCache(), days: new RowCache(), tallies: new RowCache(20_000) },
) {
  return async function projectSales(events: SalesEvent[], _context: InvocationContext): Promise<EventFailure[]> {
    const client = await deps.table(TABLES.sales);
    const byOrder = groupBy(events, (event) => event.orderId);
    const failed = new Map<string, unknown>();

    const stores = [...new Set(events.map((e) => e.storeId))];
    const zones = new Map(await Promise.all(stores.map(async (storeId) => [storeId, (await settings.get(storeId)).timeZone] as const)));
    const where = (orderId: string): LocatorRow => {
      const ofOrder = byOrder.get(orderId)!;
      const storeId = ofOrder[0]!.storeId;
      const timeZone = zones.get(storeId)!;
      return { storeId, date: localDate(placedAt(orderId, ofOrder), timeZone), timeZone };
    };
    const tasks = [...byOrder].map(([orderId, ofOrder]) => ({ key: orderId, ...locatorAt(orderId), expectAbsent: ofOrder[0]!.type === 'OrderPlaced' }));
    const outcomes = await applyBatched<LocatorRow>(client, caches.locators, tasks, (task, row) => (row ? {} : { fields: { ...where(task.key) } }));
    const located: Located[] = [];
    for (const o of outcomes) {
      if (o.error !== undefined || !o.after) failed.set(o.task.key, o.error ?? new Error(`order ${o.task.key} not located`));
      else located.push({ orderId: o.task.key, day: o.after, fresh: o.before === undefined });
    }

    const byDay = groupBy(located, (l) => dayPartition(l.day.date, l.day.storeId));
    await Promise.all(
      [...byDay].map(async ([partitionKey, orders]) => {
        for (const chunk of chunksOf(orders, ORDERS_PER_TRANSACTION)) {
          try {
            await countDay(client, caches, partitionKey, chunk, byOrder, deps.now);
          } catch (error) {
            for (const o of chunk) failed.set(o.orderId, error);
          }
        }
      }),
    );
    return events.filter((e) => failed.has(e.orderId)).map((e) => ({ eventId: e.id, error: failed.get(e.orderId) }));
  };
}

/** Decides and commits one transaction's worth of a day's orders; on a lost race reads again and decides again. */
async function countDay(
  client: TableClient,
  caches: SalesCaches,
  partitionKey: string,
  orders: readonly Located[],
  byOrder: ReadonlyMap<string, SalesEvent[]>,
  now: () => Date,
): Promise<void> {
  const { days } = caches;
  // An order located by this call has no tally anywhere yet: no read needed (a create that finds one fails and reads).
  let known = new Set(orders.filter((o) => o.fresh).map((o) => o.orderId));
  const tallyCacheKey = (orderId: string) => `${partitionKey}/${orderId}`;
  for (let attempt = 1; ; attempt++) {
    const cachedDay = days.get(partitionKey);
    const cachedTally = (orderId: string): TallyRow | undefined => {
      const held = cachedDay && caches.tallies.get(tallyCacheKey(orderId));
      return held && held.epoch === cachedDay.epoch ? held : undefined;
    };
    const [read, tallies] = await Promise.all([
      cachedDay ? undefined : getOrUndefined<DayRow>(client, partitionKey, DAY_ROW),
      Promise.all(orders.map((o) => (known.has(o.orderId) ? undefined : (cachedTally(o.orderId) ?? getOrUndefined<TallyRow>(client, partitionKey, tallyKey(o.orderId)))))),
    ]);
    const day = cachedDay ?? read;
    const epoch = cachedDay ? cachedDay.epoch : ++epochs;
    if (day?.closed) return;
    const changes = orders.flatMap((o, i) => {
      const row = tallies[i];
      const before = row ? tallyOf(row) : undefined;
      const after = applyEvents(before, byOrder.get(o.orderId)!);
      return after ? [{ orderId: o.orderId, exists: row !== undefined, before, after }] : [];
    });
    if (changes.length === 0) return;
    const first = orders[0]!.day;
    const figures = withChanges(day ? figuresOf(day) : NO_FIGURES, changes);
    const fields = toDayRow({ storeId: first.storeId, date: first.date, timeZone: day?.timeZone ?? first.timeZone, updatedAt: now() }, figures);
    const dayEntity = { partitionKey, rowKey: DAY_ROW, ...fields };
    const actions: TransactionAction[] = [
      day ? ['update', dayEntity, 'Replace', { etag: day.etag }] : ['create', dayEntity],
      // The figures' ETag guards the tallies too: every write to a tally also writes the figures.
      ...changes.map((c): TransactionAction => {
        const entity = { partitionKey, rowKey: tallyKey(c.orderId), ...toTallyRow(c.after) };
        return c.exists ? ['upsert', entity, 'Replace'] : ['create', entity];
      }),
    ];
    try {
      const response = await client.submitTransaction(actions);
      const etag = response.subResponses[0]?.etag;
      if (etag) {
        days.set(partitionKey, { ...fields, etag, epoch });
        for (const c of changes) caches.tallies.set(tallyCacheKey(c.orderId), { ...toTallyRow(c.after), etag, epoch });
      } else days.delete(partitionKey);
      return;
    } catch (error) {
      days.delete(partitionKey);
      if (!isTransactionConflict(error) || attempt >= ATTEMPTS) throw error;
      known = new Set();
      if (attempt >= 2) await pauseAfterConflict(attempt);
    }
  }
}
