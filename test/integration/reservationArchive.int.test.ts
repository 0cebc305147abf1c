import { HttpRequest } from '@azure/functions';
import type { TableClient, TransactionAction } from '@azure/data-tables';
import { describe, expect, it } from 'vitest';
import { MOVES_WAIT_HOURS, archiveReservations } from '../../functions/inventory/archive';
import { createInventoryApi } from '../../functions/inventory/api';
import { createReservations } from '../../functions/inventory/reservations';
import { ARCHIVE_MARK_ROW, archivePartition, reservationKey } from '../../functions/inventory/rows';
import { createCleanup } from '../../functions/operations/cleanup';
import { makeEvent } from '../../shared/events';
import { newOrderId } from '../../shared/identifiers';
import { RETENTION_GRACE_DAYS } from '../../shared/retention';
import { getOrUndefined } from '../../shared/tables';
import { TABLES } from '../../shared/topology';
import { invocationContext } from '../support/context';
import { testDeps } from '../support/deps';

const DAY = 86_400_000;
const now = new Date('2026-11-25T10:00:00.000Z');
const ago = (days: number) => newOrderId(new Date(now.getTime() - days * DAY));
const items = [{ menuItemId: 'americano', quantity: 2 }];

type Deps = ReturnType<typeof testDeps>;

/** Store `main` with `cups`, the timer's first run there MOVES_WAIT_HOURS back (unless `arm` is false), so runs at `now` move. */
async function stockedStore(deps: Deps, cups: number, { arm = true } = {}) {
  const api = createInventoryApi(deps);
  await api.setStock(new HttpRequest({ method: 'PUT', url: 'http://localhost/inventories/main', params: { storeId: 'main' }, body: { string: JSON.stringify({ cups }) }, headers: { 'content-type': 'application/json' } }));
  if (arm) await armed(deps);
  return deps.table(TABLES.inventory);
}

const placed = (orderId: string) => makeEvent('OrderPlaced', { orderId, storeId: 'main', customerId: 'c-1', occurredAt: now.toISOString(), items, cups: 2 });
const cancelled = (orderId: string) => makeEvent('OrderCancelled', { orderId, storeId: 'main', customerId: 'c-1', occurredAt: now.toISOString(), reason: 'timed-out' });
const cupsOf = async (inventory: TableClient) => (await inventory.getEntity<{ cups: number }>('main', 'stock')).cups;
const outcomeIn = async (inventory: TableClient, partition: string, orderId: string) => (await getOrUndefined<{ outcome: string }>(inventory, partition, reservationKey(orderId)))?.outcome;

/** Store `main` with 10 cups and an order two days old that reserved 2 of them: old enough to be moved. */
async function withOldReservation(clock: () => Date = () => now) {
  const deps = testDeps({ retentionDays: 30 }, clock);
  const inventory = await stockedStore(deps, 10);
  const order = ago(2);
  await createReservations(deps)([placed(order)], invocationContext().context);
  return { deps, inventory, order };
}

/** The order's reservation in the store's partition and in its archive. */
const whereIs = async (inventory: TableClient, orderId: string) => [await outcomeIn(inventory, 'main', orderId), await outcomeIn(inventory, archivePartition('main'), orderId)];

/** The timer's first run in the stores, MOVES_WAIT_HOURS and a minute before `now`: it only writes each store's archive mark. */
async function armed(deps: Deps) {
  const before = new Date(now.getTime() - (MOVES_WAIT_HOURS * 3_600_000 + 60_000));
  await createCleanup({ ...deps, now: () => before })({}, invocationContext().context);
}

const move = (client: TableClient) => archiveReservations(client, 'main', { now, maxRows: 1_000, expiredAfterDays: 30 + RETENTION_GRACE_DAYS });

/** The same deps, with the inventory table's client replaced (to step in between two calls of a consumer or the timer). */
function withInventory(deps: Deps, client: TableClient): Deps {
  return { ...deps, table: async (name) => (name === TABLES.inventory ? client : deps.table(name)) };
}

/** Where a test steps in between two storage calls of a consumer or the timer. */
type StepPoint =
  | { read: { partitionKey?: string; rowKey: string } }
  | { transaction: (actions: TransactionAction[]) => boolean; after?: boolean }
  | { listing: true };

/**
 * The inventory client with `step` run once at `at`: right after the first read of a row answers,
 * before (or after) the first transaction `at.transaction` picks, or once a listing's last page is in.
 */
function steppingIn(client: TableClient, at: StepPoint, step: () => Promise<unknown>) {
  let fired = false;
  const once = async () => {
    if (fired) return;
    fired = true;
    await step();
  };
  const stepping = new Proxy(client, {
    get(target, property, receiver) {
      if (property === 'getEntity' && 'read' in at) {
        return async (partitionKey: string, rowKey: string) => {
          const result = target.getEntity(partitionKey, rowKey);
          if (rowKey === at.read.rowKey && (at.read.partitionKey ?? partitionKey) === partitionKey) {
            await result.catch(() => undefined);
            await once();
          }
          return result;
        };
      }
      if (property === 'submitTransaction' && 'transaction' in at) {
        return async (actions: TransactionAction[]) => {
          const picked = at.transaction(actions);
          if (picked && !at.after) await once();
          const result = await target.submitTransaction(actions);
          if (picked && at.after) await once();
          return result;
        };
      }
      if (property === 'listEntities' && 'listing' in at) {
        return (options: Parameters<TableClient['listEntities']>[0]) => ({
          byPage: async function* (settings: object) {
            yield* target.listEntities(options).byPage(settings);
            await once();
          },
        });
      }
      return Reflect.get(target, property, receiver);
    },
  });
  return { client: stepping, fired: () => fired };
}

const anyTransaction = () => true;
const deleting = (actions: TransactionAction[]) => actions.some((a) => a[0] === 'delete');

describe("a store's reservations archive", () => {
  it('takes the reservations over a day old (and two hours) out of the hot partition, unchanged, and leaves the last day, those about to expire, the stock and other rows', async () => {
    const deps = testDeps({ retentionDays: 30 }, () => now);
    const inventory = await stockedStore(deps, 50);
    const ids = { hours: ago(0.5), edge: ago(1.07), days: ago(2), weeks: ago(20) };
    for (const id of Object.values(ids)) expect(await createReservations(deps)([placed(id)], invocationContext().context)).toEqual([]);
    // Past the retention (its events are ignored now) but not the grace day: a reservation from back then.
    const expiring = ago(30.5);
    await inventory.createEntity({ partitionKey: 'main', rowKey: reservationKey(expiring), outcome: 'reserved', cups: 2, available: 10, decidedAt: now.toISOString() });
    const before = await inventory.getEntity<Record<string, unknown>>('main', reservationKey(ids.weeks));

    await createCleanup(deps)({}, invocationContext().context);

    const where = (id: string) => whereIs(inventory, id);
    expect(await where(ids.hours)).toEqual(['reserved', undefined]);
    expect(await where(ids.edge)).toEqual(['reserved', undefined]);
    expect(await where(ids.days)).toEqual([undefined, 'reserved']);
    expect(await where(ids.weeks)).toEqual([undefined, 'reserved']);
    // Within a day of its expiry: it expires where it is.
    expect(await where(expiring)).toEqual(['reserved', undefined]);
    const after = await inventory.getEntity<Record<string, unknown>>(archivePartition('main'), reservationKey(ids.weeks));
    for (const field of ['outcome', 'cups', 'available', 'decidedAt']) expect(after[field]).toEqual(before[field]);
    expect(await cupsOf(inventory)).toBe(42);
    expect(await getOrUndefined(inventory, 'main', ARCHIVE_MARK_ROW)).toBeDefined();
  });

  it('answers a late OrderPlaced of an archived order from the archive: no second reservation, the same outcome again', async () => {
    const deps = testDeps({ retentionDays: 30 }, () => now);
    const inventory = await stockedStore(deps, 3);
    const [first, second] = [ago(3), ago(2)];
    await createReservations(deps)([placed(first), placed(second)], invocationContext().context);
    const outcomes = () => deps.publisher.published.filter((e) => e.type.startsWith('Cups')).map((e) => e.type);
    expect(outcomes()).toEqual(['CupsReserved', 'CupsOutOfStock']);
    await createCleanup(deps)({}, invocationContext().context);
    expect(await outcomeIn(inventory, 'main', first)).toBeUndefined();
    // Stock for both now: a second decision would reserve the refused order and take more cups.
    await inventory.updateEntity({ partitionKey: 'main', rowKey: 'stock', cups: 10 }, 'Merge');

    expect(await createReservations(deps)([placed(first), placed(second)], invocationContext().context)).toEqual([]);

    expect(outcomes()).toEqual(['CupsReserved', 'CupsOutOfStock', 'CupsReserved', 'CupsOutOfStock']);
    expect(await cupsOf(inventory)).toBe(10);
    expect([await outcomeIn(inventory, 'main', first), await outcomeIn(inventory, 'main', second)]).toEqual([undefined, undefined]);
  });

  it('gives back the cups of an archived reservation once, however often its cancel comes, and the next move archives it released', async () => {
    const { deps, inventory, order } = await withOldReservation();
    await createCleanup(deps)({}, invocationContext().context);
    expect(await cupsOf(inventory)).toBe(8);
    expect(await whereIs(inventory, order)).toEqual([undefined, 'reserved']);

    expect(await createReservations(deps)([cancelled(order)], invocationContext().context)).toEqual([]);
    expect(await createReservations(deps)([cancelled(order)], invocationContext().context)).toEqual([]);
    expect(await cupsOf(inventory)).toBe(10);
    expect(await outcomeIn(inventory, 'main', order)).toBe('released');

    await createCleanup(deps)({}, invocationContext().context);
    expect(await whereIs(inventory, order)).toEqual([undefined, 'released']);
    expect(await createReservations(deps)([cancelled(order)], invocationContext().context)).toEqual([]);
    expect(await cupsOf(inventory)).toBe(10);
  });

  it('does not decide an order twice when the timer moves it right after the consumer first looked for it', async () => {
    const { deps, inventory, order } = await withOldReservation();
    expect(await cupsOf(inventory)).toBe(8);

    // The consumer's first read of the order's reservation (in either partition) answers; the timer moves it right after.
    const stepping = steppingIn(inventory, { read: { rowKey: reservationKey(order) } }, async () => expect((await move(inventory)).moved).toBe(1));
    // A late copy in the same batch as a new order, so the transaction writes the stock anyway.
    const young = ago(0.1);
    expect(await createReservations(withInventory(deps, stepping.client))([placed(order), placed(young)], invocationContext().context)).toEqual([]);

    expect(stepping.fired()).toBe(true);
    expect(await cupsOf(inventory)).toBe(6);
    expect(await whereIs(inventory, order)).toEqual([undefined, 'reserved']);
    expect(deps.publisher.ofType('CupsReserved').map((e) => e.orderId)).toEqual([order, order, young]);
  });

  it.each([
    ['right after the timer listed it', 'list'],
    ['before the copy', 'create'],
    ['after the copy, before the delete', 'delete'],
  ] as const)('does not lose a release when a late cancel lands %s', async (_when, before) => {
    const { deps, inventory, order } = await withOldReservation();

    const points: Record<typeof before, StepPoint> = {
      list: { listing: true },
      create: { transaction: (actions) => actions.some((a) => a[0] === 'create') },
      delete: { transaction: deleting },
    };
    const stepping = steppingIn(inventory, points[before], async () => expect(await createReservations(deps)([cancelled(order)], invocationContext().context)).toEqual([]));
    expect((await move(stepping.client)).moved).toBe(0);
    expect(stepping.fired()).toBe(true);
    expect(await cupsOf(inventory)).toBe(10);
    expect(await outcomeIn(inventory, 'main', order)).toBe('released');

    // The next run moves it as it is now; another copy of the cancel gives nothing back.
    expect((await move(inventory)).moved).toBe(1);
    expect(await whereIs(inventory, order)).toEqual([undefined, 'released']);
    expect(await createReservations(deps)([cancelled(order)], invocationContext().context)).toEqual([]);
    expect(await cupsOf(inventory)).toBe(10);
  });

  it('never takes an archived reservation back to reserved when two moves overlap (one listed it before a cancel, the other moved it after)', async () => {
    const { deps, inventory, order } = await withOldReservation();

    // Move A listed the order reserved and stalls before its copy; the cancel, then move B, run in between.
    const stalled = steppingIn(inventory, { transaction: anyTransaction }, async () => {
      await createReservations(deps)([cancelled(order)], invocationContext().context);
      expect((await move(inventory)).moved).toBe(1);
    });
    expect((await move(stalled.client)).moved).toBe(0);
    expect(stalled.fired()).toBe(true);

    expect(await whereIs(inventory, order)).toEqual([undefined, 'released']);
    expect(await createReservations(deps)([cancelled(order)], invocationContext().context)).toEqual([]);
    expect(await cupsOf(inventory)).toBe(10);
  });

  it('gives cups back once when two copies of a cancel of an archived reservation arrive at once', async () => {
    const { deps, inventory, order } = await withOldReservation();
    expect((await move(inventory)).moved).toBe(1);

    // Two instances (a rebalance) each with a copy of the cancel.
    const results = await Promise.all([createReservations(deps), createReservations(deps)].map((reserve) => reserve([cancelled(order)], invocationContext().context)));
    expect(results).toEqual([[], []]);
    expect(await cupsOf(inventory)).toBe(10);
  });

  it('deletes an expired reservation from the archive before the store partition, so a cancel in between finds it released', async () => {
    let clock = now;
    const { deps, inventory, order } = await withOldReservation(() => clock);
    expect((await move(inventory)).moved).toBe(1);
    // Released from the archive: released in the store's partition, still reserved in the archive until the next move.
    await createReservations(deps)([cancelled(order)], invocationContext().context);
    expect(await whereIs(inventory, order)).toEqual(['released', 'reserved']);
    expect(await cupsOf(inventory)).toBe(10);

    clock = new Date(now.getTime() + 29.5 * DAY);
    const stepping = steppingIn(inventory, { transaction: deleting, after: true }, () => createReservations(deps)([cancelled(order)], invocationContext().context));
    await createCleanup(withInventory(deps, stepping.client))({}, invocationContext().context);
    expect(stepping.fired()).toBe(true);
    expect(await cupsOf(inventory)).toBe(10);
    expect(await whereIs(inventory, order)).toEqual([undefined, undefined]);
  });

  it('moves nothing in a store until MOVES_WAIT_HOURS after this version first wrote its archive mark there (instances of the version before may still be deciding)', async () => {
    const deps = testDeps({ retentionDays: 30 }, () => now);
    const inventory = await stockedStore(deps, 10, { arm: false });
    const order = ago(2);
    await createReservations(deps)([placed(order)], invocationContext().context);
    const at = (hoursAfter: number) => ({ ...deps, now: () => new Date(now.getTime() + hoursAfter * 3_600_000) });

    await createCleanup(at(0))({}, invocationContext().context);
    expect(await outcomeIn(inventory, 'main', order)).toBe('reserved');
    await createCleanup(at(MOVES_WAIT_HOURS - 0.1))({}, invocationContext().context);
    expect(await outcomeIn(inventory, 'main', order)).toBe('reserved');
    await createCleanup(at(MOVES_WAIT_HOURS + 0.1))({}, invocationContext().context);
    expect(await whereIs(inventory, order)).toEqual([undefined, 'reserved']);
  });

  it('decides a batch of more late orders than a transaction holds, moves them all in one run, and the next run moves on without waiting again', async () => {
    const deps = testDeps({ retentionDays: 30 }, () => now);
    const inventory = await stockedStore(deps, 1_000);
    const orders = Array.from({ length: 150 }, (_, i) => ago(2 + i / 1_000));
    expect(await createReservations(deps)(orders.map(placed), invocationContext().context)).toEqual([]);
    expect(await cupsOf(inventory)).toBe(700);

    expect(await move(inventory)).toEqual({ moved: 150, complete: true });
    const archived = await Promise.all(orders.map((id) => outcomeIn(inventory, archivePartition('main'), id)));
    expect(new Set(archived)).toEqual(new Set(['reserved']));

    // And their cancels in one batch: each release transaction holds the stock, the mark and the rows.
    expect(await createReservations(deps)(orders.map(cancelled), invocationContext().context)).toEqual([]);
    expect(await cupsOf(inventory)).toBe(1_000);
    // The next run moves what came since at once: a move of several transactions keeps the mark's start.
    const later = ago(3);
    await createReservations(deps)([placed(later)], invocationContext().context);
    expect((await move(inventory)).moved).toBe(151);
  });

  it('does not reserve an order a cancel closed, and the timer moved, after the late OrderPlaced looked for it', async () => {
    const deps = testDeps({ retentionDays: 30 }, () => now);
    const inventory = await stockedStore(deps, 10);
    const order = ago(2);

    // The OrderPlaced (more than a day late) finds the order in neither partition; then its cancel
    // closes it and the timer moves the closed record, before the OrderPlaced commits.
    const stepping = steppingIn(inventory, { read: { partitionKey: archivePartition('main'), rowKey: reservationKey(order) } }, async () => {
      expect(await createReservations(deps)([cancelled(order)], invocationContext().context)).toEqual([]);
      expect((await move(inventory)).moved).toBe(1);
    });
    expect(await createReservations(withInventory(deps, stepping.client))([placed(order)], invocationContext().context)).toEqual([]);

    expect(stepping.fired()).toBe(true);
    expect(await cupsOf(inventory)).toBe(10);
    expect(await whereIs(inventory, order)).toEqual([undefined, 'cancelled']);
    expect(deps.publisher.ofType('CupsReserved')).toEqual([]);
  });

  it('answers a late cancel whose reservation the timer moves between the read and the release, without failing it', async () => {
    const { deps, inventory, order } = await withOldReservation();

    const stepping = steppingIn(inventory, { transaction: anyTransaction }, async () => expect((await move(inventory)).moved).toBe(1));
    expect(await createReservations(withInventory(deps, stepping.client))([cancelled(order)], invocationContext().context)).toEqual([]);
    expect(stepping.fired()).toBe(true);
    expect(await cupsOf(inventory)).toBe(10);
    expect(await outcomeIn(inventory, 'main', order)).toBe('released');
  });

  it('deletes archived reservations once their orders are past RETENTION_DAYS and the grace day', async () => {
    let clock = now;
    const { deps, inventory, order } = await withOldReservation(() => clock);
    await createCleanup(deps)({}, invocationContext().context);
    expect(await outcomeIn(inventory, archivePartition('main'), order)).toBe('reserved');

    // Two days old when archived: 30.9 days old, then 31.1 (past 30 and the grace day).
    clock = new Date(now.getTime() + 28.9 * DAY);
    await createCleanup(deps)({}, invocationContext().context);
    expect(await outcomeIn(inventory, archivePartition('main'), order)).toBe('reserved');
    clock = new Date(now.getTime() + 29.1 * DAY);
    await createCleanup(deps)({}, invocationContext().context);
    expect(await outcomeIn(inventory, archivePartition('main'), order)).toBeUndefined();
  });
});
