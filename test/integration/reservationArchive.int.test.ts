import { HttpRequest } from '@azure/functions';
import type { TableClient, TransactionAction } from '@azure/data-tables';
import { describe, expect, it } from 'vitest';
import { archiveReservations } from '../../functions/inventory/archive';
import { createInventoryApi } from '../../functions/inventory/api';
import { createReservations } from '../../functions/inventory/reservations';
import { ARCHIVE_MARK_ROW, archivePartition, reservationKey } from '../../functions/inventory/rows';
import { createCleanup } from '../../functions/operations/cleanup';
import { makeEvent } from '../../shared/events';
import { newOrderId } from '../../shared/identifiers';
import { getOrUndefined } from '../../shared/tables';
import { TABLES } from '../../shared/topology';
import { invocationContext } from '../support/context';
import { testDeps } from '../support/deps';

const DAY = 86_400_000;
const now = new Date('2026-11-25T10:00:00.000Z');
const ago = (days: number) => newOrderId(new Date(now.getTime() - days * DAY));
const items = [{ menuItemId: 'americano', quantity: 2 }];

type Deps = ReturnType<typeof testDeps>;

async function stockedStore(deps: Deps, cups: number) {
  const api = createInventoryApi(deps);
  await api.setStock(new HttpRequest({ method: 'PUT', url: 'http://localhost/inventories/main', params: { storeId: 'main' }, body: { string: JSON.stringify({ cups }) }, headers: { 'content-type': 'application/json' } }));
  return deps.table(TABLES.inventory);
}

const placed = (orderId: string) => makeEvent('OrderPlaced', { orderId, storeId: 'main', customerId: 'c-1', occurredAt: now.toISOString(), items, cups: 2 });
const cancelled = (orderId: string) => makeEvent('OrderCancelled', { orderId, storeId: 'main', customerId: 'c-1', occurredAt: now.toISOString(), reason: 'timed-out' });
const cupsOf = async (inventory: TableClient) => (await inventory.getEntity<{ cups: number }>('main', 'stock')).cups;
const outcomeIn = async (inventory: TableClient, partition: string, orderId: string) => (await getOrUndefined<{ outcome: string }>(inventory, partition, reservationKey(orderId)))?.outcome;

/** The same deps, with the inventory table's client replaced (to step in between two calls of a consumer or the timer). */
function withInventory(deps: Deps, client: TableClient): Deps {
  return { ...deps, table: async (name) => (name === TABLES.inventory ? client : deps.table(name)) };
}

describe("a store's reservations archive", () => {
  it('takes the reservations over a day old (and an hour) out of the hot partition, unchanged, and leaves the last day, the stock and other rows', async () => {
    const deps = testDeps({ retentionDays: 30 }, () => now);
    const inventory = await stockedStore(deps, 50);
    const ids = { hours: ago(0.5), edge: ago(1.02), days: ago(2), weeks: ago(20) };
    for (const id of Object.values(ids)) expect(await createReservations(deps)([placed(id)], invocationContext().context)).toEqual([]);
    const before = await inventory.getEntity<Record<string, unknown>>('main', reservationKey(ids.weeks));

    await createCleanup(deps)({}, invocationContext().context);

    const where = async (id: string) => [await outcomeIn(inventory, 'main', id), await outcomeIn(inventory, archivePartition('main'), id)];
    expect(await where(ids.hours)).toEqual(['reserved', undefined]);
    expect(await where(ids.edge)).toEqual(['reserved', undefined]);
    expect(await where(ids.days)).toEqual([undefined, 'reserved']);
    expect(await where(ids.weeks)).toEqual([undefined, 'reserved']);
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
    const deps = testDeps({ retentionDays: 30 }, () => now);
    const inventory = await stockedStore(deps, 10);
    const order = ago(2);
    await createReservations(deps)([placed(order)], invocationContext().context);
    await createCleanup(deps)({}, invocationContext().context);
    expect(await cupsOf(inventory)).toBe(8);

    expect(await createReservations(deps)([cancelled(order)], invocationContext().context)).toEqual([]);
    expect(await createReservations(deps)([cancelled(order)], invocationContext().context)).toEqual([]);
    expect(await cupsOf(inventory)).toBe(10);
    expect(await outcomeIn(inventory, 'main', order)).toBe('released');

    await createCleanup(deps)({}, invocationContext().context);
    expect([await outcomeIn(inventory, 'main', order), await outcomeIn(inventory, archivePartition('main'), order)]).toEqual([undefined, 'released']);
    expect(await createReservations(deps)([cancelled(order)], invocationContext().context)).toEqual([]);
    expect(await cupsOf(inventory)).toBe(10);
  });

  it('does not decide an order twice when the timer moves it between the consumer looking in the archive and committing', async () => {
    const deps = testDeps({ retentionDays: 30 }, () => now);
    const inventory = await stockedStore(deps, 10);
    const order = ago(2);
    await createReservations(deps)([placed(order)], invocationContext().context);
    expect(await cupsOf(inventory)).toBe(8);

    // The consumer's first look in the archive finds nothing; the timer moves the order right after.
    let moved = false;
    const stepping = new Proxy(inventory, {
      get(target, property, receiver) {
        if (property !== 'getEntity') return Reflect.get(target, property, receiver);
        return async (partitionKey: string, rowKey: string) => {
          const result = target.getEntity(partitionKey, rowKey);
          if (partitionKey === archivePartition('main') && !moved) {
            moved = true;
            await result.catch(() => undefined);
            expect(await archiveReservations(inventory, 'main', { now, maxRows: 100 })).toBe(1);
          }
          return result;
        };
      },
    });
    // A late copy in the same batch as a new order, so the transaction writes the stock anyway.
    const young = ago(0.1);
    expect(await createReservations(withInventory(deps, stepping))([placed(order), placed(young)], invocationContext().context)).toEqual([]);

    expect(moved).toBe(true);
    expect(await cupsOf(inventory)).toBe(6);
    expect(await outcomeIn(inventory, 'main', order)).toBeUndefined();
    expect(deps.publisher.ofType('CupsReserved').map((e) => e.orderId)).toEqual([order, order, young]);
  });

  it('does not archive a reservation as it was when a late cancel releases it while the timer moves it', async () => {
    const deps = testDeps({ retentionDays: 30 }, () => now);
    const inventory = await stockedStore(deps, 10);
    const order = ago(2);
    await createReservations(deps)([placed(order)], invocationContext().context);

    // The timer has read the mark, listed and copied the row; the cancel lands before its delete.
    let cancelledBetween = false;
    const stepping = new Proxy(inventory, {
      get(target, property, receiver) {
        if (property !== 'submitTransaction') return Reflect.get(target, property, receiver);
        return async (actions: TransactionAction[]) => {
          if (!cancelledBetween && actions.some((a) => a[0] === 'delete')) {
            cancelledBetween = true;
            expect(await createReservations(deps)([cancelled(order)], invocationContext().context)).toEqual([]);
          }
          return target.submitTransaction(actions);
        };
      },
    });
    expect(await archiveReservations(stepping, 'main', { now, maxRows: 100 })).toBe(0);
    expect(cancelledBetween).toBe(true);
    expect(await cupsOf(inventory)).toBe(10);
    expect(await outcomeIn(inventory, 'main', order)).toBe('released');

    // The next run moves it as it is now; another copy of the cancel gives nothing back.
    expect(await archiveReservations(inventory, 'main', { now, maxRows: 100 })).toBe(1);
    expect(await outcomeIn(inventory, archivePartition('main'), order)).toBe('released');
    expect(await createReservations(deps)([cancelled(order)], invocationContext().context)).toEqual([]);
    expect(await cupsOf(inventory)).toBe(10);
  });

  it('deletes archived reservations once their orders are past RETENTION_DAYS and the grace day', async () => {
    let clock = now;
    const deps = testDeps({ retentionDays: 30 }, () => clock);
    const inventory = await stockedStore(deps, 10);
    const order = ago(2);
    await createReservations(deps)([placed(order)], invocationContext().context);
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
