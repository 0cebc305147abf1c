import { HttpRequest } from '@azure/functions';
import { describe, expect, it } from 'vitest';
import { createBrewer } from '../../functions/beverages/brewer';
import { DUE_PARTITION, JOB_ROW } from '../../functions/beverages/rows';
import { createInventoryApi } from '../../functions/inventory/api';
import { createReservations } from '../../functions/inventory/reservations';
import { MOVES_WAIT_HOURS } from '../../functions/inventory/archive';
import { DIRECTORY_PARTITION, DIRECTORY_ROW, LEGACY_STORES_PARTITION, archivePartition, reservationKey } from '../../functions/inventory/rows';
import { MAX_DIRECTORY_STORES, packDirectory } from '../../functions/inventory/directory';
import { makeEvent } from '../../shared/events';
import { createCleanup } from '../../functions/operations/cleanup';
import { OPEN_PARTITION, orderAt } from '../../functions/orders/rows';
import { boardAt, toBoardRow, viewAt } from '../../functions/kiosk/rows';
import { newOrderId } from '../../shared/identifiers';
import { getOrUndefined } from '../../shared/tables';
import { TABLES } from '../../shared/topology';
import { invocationContext } from '../support/context';
import { testDeps } from '../support/deps';

const DAY = 86_400_000;

function setStock(deps: ReturnType<typeof testDeps>, storeId: string) {
  return createInventoryApi(deps).setStock(new HttpRequest({ method: 'PUT', url: `http://localhost/inventories/${storeId}`, params: { storeId }, body: { string: JSON.stringify({ cups: 10 }) }, headers: { 'content-type': 'application/json' } }));
}

async function listedStores(deps: ReturnType<typeof testDeps>): Promise<string[]> {
  const listed = await createInventoryApi(deps).listStock(new HttpRequest({ method: 'GET', url: 'http://localhost/inventories' }));
  return (JSON.parse(String(listed.body)) as { storeId: string }[]).map((s) => s.storeId);
}

describe('the retention timer', () => {
  it('deletes finished orders and their kiosk views past RETENTION_DAYS, and keeps recent or unfinished ones and the store boards', async () => {
    const now = new Date('2026-11-25T10:00:00.000Z');
    const deps = testDeps({ retentionDays: 30 }, () => now);
    const orders = await deps.table(TABLES.orders);
    const kiosk = await deps.table(TABLES.kiosk);
    const oldDone = newOrderId(new Date(now.getTime() - 40 * DAY));
    const oldOpen = newOrderId(new Date(now.getTime() - 40 * DAY + 1));
    const recent = newOrderId(new Date(now.getTime() - 29 * DAY));
    for (const [id, status] of [[oldDone, 'completed'], [oldOpen, 'brewing'], [recent, 'completed']] as const) {
      await orders.createEntity({ ...orderAt(id), status, storeId: 'main' });
      await kiosk.createEntity({ ...viewAt(id), status, storeId: 'main' });
    }
    await orders.createEntity({ partitionKey: OPEN_PARTITION, rowKey: oldOpen });
    // The store's board is no time bucket: the timer deletes buckets and leaves the board.
    await kiosk.createEntity({ ...boardAt('main'), ...toBoardRow('main', [{ orderId: oldDone, status: 'completed', updatedAt: now.toISOString() }]) });

    await createCleanup(deps)({}, invocationContext().context);

    const has = async (client: typeof orders, at: { partitionKey: string; rowKey: string }) => (await getOrUndefined(client, at.partitionKey, at.rowKey)) !== undefined;
    expect([await has(orders, orderAt(oldDone)), await has(orders, orderAt(oldOpen)), await has(orders, orderAt(recent))]).toEqual([false, true, true]);
    expect([await has(kiosk, viewAt(oldDone)), await has(kiosk, viewAt(recent))]).toEqual([false, true]);
    expect(await has(orders, { partitionKey: OPEN_PARTITION, rowKey: oldOpen })).toBe(true);
    expect(await has(kiosk, boardAt('main'))).toBe(true);
  });

  it('deletes reservations and brewing jobs a grace day after their orders pass RETENTION_DAYS, keeps the rest, and a late copy of such an order reserves and brews nothing but a cancel is answered', async () => {
    const now = new Date('2026-11-25T10:00:00.000Z');
    const deps = testDeps({ retentionDays: 30 }, () => now);
    const inventory = await deps.table(TABLES.inventory);
    const beverages = await deps.table(TABLES.beverages);
    await setStock(deps, 'main');
    await setStock(deps, 'north');
    const ago = (days: number) => newOrderId(new Date(now.getTime() - days * DAY));
    const old = [ago(40), ago(32)];
    // Past the retention (its events are ignored) but within the grace day: its records stay a day more.
    const graced = ago(30.5);
    const recent = ago(29);
    // An id this app did not make says nothing of its age: it is kept.
    const foreign = 'zzzzzzzzzzzzforeign';
    for (const storeId of ['main', 'north']) {
      for (const id of [...old, graced, recent, foreign]) await inventory.createEntity({ partitionKey: storeId, rowKey: reservationKey(id), outcome: 'reserved', cups: 1 });
    }
    for (const id of [...old, graced, recent]) await beverages.createEntity({ partitionKey: id, rowKey: JOB_ROW, storeId: 'main', status: 'completed' });
    await beverages.createEntity({ partitionKey: DUE_PARTITION, rowKey: `${now.toISOString()}_${recent}`, orderId: recent });
    // A first run a while before (moves wait MOVES_WAIT_HOURS after it).
    await createCleanup({ ...deps, now: () => new Date(now.getTime() - (MOVES_WAIT_HOURS + 1) * 3_600_000) })({}, invocationContext().context);

    await createCleanup(deps)({}, invocationContext().context);

    const has = async (client: typeof inventory, partitionKey: string, rowKey: string) => (await getOrUndefined(client, partitionKey, rowKey)) !== undefined;
    // Kept; over a day old, the recent one moved to the store's archive; the graced one, within a day of
    // its expiry, expires where it is; foreign ids, of no known age, stay.
    const kept = async (storeId: string, id: string) => (await has(inventory, storeId, reservationKey(id))) || has(inventory, archivePartition(storeId), reservationKey(id));
    for (const storeId of ['main', 'north']) {
      expect(await Promise.all([...old, graced, recent, foreign].map((id) => kept(storeId, id)))).toEqual([false, false, true, true, true]);
      expect([await has(inventory, storeId, reservationKey(graced)), await has(inventory, archivePartition(storeId), reservationKey(recent))]).toEqual([true, true]);
      expect(await has(inventory, storeId, 'stock')).toBe(true);
    }
    expect(await Promise.all([...old, graced, recent].map((id) => has(beverages, id, JOB_ROW)))).toEqual([false, false, true, true]);
    expect(await has(beverages, DUE_PARTITION, `${now.toISOString()}_${recent}`)).toBe(true);
    // The directory is no store: listing the stores still works after the timer.
    expect(await listedStores(deps)).toEqual(['main', 'north']);

    // A late copy (a replayed range) of the expired order's events: no cups taken, no brew, no failure.
    const envelope = { orderId: old[0]!, storeId: 'main', occurredAt: new Date(now.getTime() - 40 * DAY).toISOString(), customerId: 'c-1' };
    const items = [{ menuItemId: 'americano', quantity: 3 }];
    expect(await createReservations(deps)([makeEvent('OrderPlaced', { ...envelope, items, cups: 3 })], invocationContext().context)).toEqual([]);
    expect(await createBrewer(deps).brew([makeEvent('CupsReserved', { ...envelope, items, cups: 3 })], invocationContext().context)).toEqual([]);
    expect(await has(inventory, 'main', reservationKey(old[0]!))).toBe(false);
    expect((await inventory.getEntity<{ cups: number }>('main', 'stock')).cups).toBe(10);
    expect(await has(beverages, old[0]!, JOB_ROW)).toBe(false);
    expect(deps.publisher.published).toEqual([]);
    // Past the retention but within the grace day: its reservation is still there, and a late copy is
    // ignored all the same (not answered again from the reservation).
    const gracedEnvelope = { ...envelope, orderId: graced, occurredAt: new Date(now.getTime() - 30.5 * DAY).toISOString() };
    expect(await createReservations(deps)([makeEvent('OrderPlaced', { ...gracedEnvelope, items, cups: 3 })], invocationContext().context)).toEqual([]);
    expect(deps.publisher.published).toEqual([]);
    // A cancel of an order somehow still open that long is still answered, by both services: it can
    // reach a final state (inventory records it, with no cups to give back; beverages will not brew it).
    const cancelled = makeEvent('OrderCancelled', { ...envelope, reason: 'timed-out' });
    expect(await createReservations(deps)([cancelled], invocationContext().context)).toEqual([]);
    expect(await inventory.getEntity<{ outcome: string }>('main', reservationKey(old[0]!))).toMatchObject({ outcome: 'cancelled' });
    expect((await inventory.getEntity<{ cups: number }>('main', 'stock')).cups).toBe(10);
    expect(await createBrewer(deps).brew([makeEvent('CancelRequested', { ...envelope, reason: 'customer-cancelled' })], invocationContext().context)).toEqual([]);
    expect(deps.publisher.published.map((e) => [e.type, 'orderId' in e ? e.orderId : undefined])).toEqual([['BrewingCancelled', old[0]]]);
  });

  it('reaches every store over successive runs on any instance, however few stores one run visits, and goes round', async () => {
    const now = new Date('2026-11-25T10:00:00.000Z');
    const deps = testDeps({ retentionDays: 30 }, () => now);
    const inventory = await deps.table(TABLES.inventory);
    const stores = ['east', 'main', 'north'];
    for (const storeId of stores) await setStock(deps, storeId);
    const expired = newOrderId(new Date(now.getTime() - 40 * DAY));
    for (const storeId of stores) await inventory.createEntity({ partitionKey: storeId, rowKey: reservationKey(expired), outcome: 'reserved', cups: 1 });
    const left = async () => (await Promise.all(stores.map(async (storeId) => ((await getOrUndefined(inventory, storeId, reservationKey(expired))) ? storeId : undefined)))).filter(Boolean);

    // One store a run, each run a new process (a timer may land on any instance): each goes on
    // where the last one stopped.
    const run = () => createCleanup(deps, 1)({}, invocationContext().context);
    await run();
    expect(await left()).toEqual(['main', 'north']);
    await run();
    expect(await left()).toEqual(['north']);
    await run();
    expect(await left()).toEqual([]);
    // Then round again, from the first store.
    await inventory.createEntity({ partitionKey: 'east', rowKey: reservationKey(expired), outcome: 'reserved', cups: 1 });
    await run();
    expect(await left()).toEqual([]);
  });

  it('still expires reservations and jobs when adopting a store fails (a full directory), and reports the run failed', async () => {
    const now = new Date('2026-11-25T10:00:00.000Z');
    const deps = testDeps({ retentionDays: 30 }, () => now);
    const inventory = await deps.table(TABLES.inventory);
    const beverages = await deps.table(TABLES.beverages);
    const ids = ['main', ...Array.from({ length: MAX_DIRECTORY_STORES - 1 }, (_, i) => `s-${String(i).padStart(5, '0')}`)];
    await inventory.createEntity({ partitionKey: DIRECTORY_PARTITION, rowKey: DIRECTORY_ROW, ...packDirectory(ids) });
    await inventory.createEntity({ partitionKey: 'main', rowKey: 'stock', cups: 10, updatedAt: now.toISOString() });
    // An older instance stocked one store more: the full directory cannot take it.
    await inventory.createEntity({ partitionKey: LEGACY_STORES_PARTITION, rowKey: 'zz-late' });
    const expired = newOrderId(new Date(now.getTime() - 40 * DAY));
    await inventory.createEntity({ partitionKey: 'main', rowKey: reservationKey(expired), outcome: 'reserved', cups: 1 });
    await beverages.createEntity({ partitionKey: expired, rowKey: JOB_ROW, storeId: 'main', status: 'completed' });

    const { context, logs } = invocationContext();
    await expect(createCleanup(deps)({}, context)).rejects.toMatchObject({ problem: { status: 507 } });
    expect(logs.filter((l) => l.level === 'warning').map((l) => l.message).join('\n')).toMatch(/adopting stores/);
    expect(await getOrUndefined(inventory, 'main', reservationKey(expired))).toBeUndefined();
    expect(await getOrUndefined(beverages, expired, JOB_ROW)).toBeUndefined();
  });

  it('lists, and expires the reservations of, a store an instance of the version before the directory stocked after the directory was made', async () => {
    const now = new Date('2026-11-25T10:00:00.000Z');
    const deps = testDeps({ retentionDays: 30 }, () => now);
    const inventory = await deps.table(TABLES.inventory);
    await setStock(deps, 'main');
    expect(await listedStores(deps)).toEqual(['main']);
    // What the older version wrote for its first set of store "east": the stock and a `~stores` row.
    await inventory.createEntity({ partitionKey: 'east', rowKey: 'stock', cups: 4, updatedAt: now.toISOString() });
    await inventory.createEntity({ partitionKey: LEGACY_STORES_PARTITION, rowKey: 'east' });
    const expired = newOrderId(new Date(now.getTime() - 40 * DAY));
    await inventory.createEntity({ partitionKey: 'east', rowKey: reservationKey(expired), outcome: 'reserved', cups: 1 });
    expect(await listedStores(deps)).toEqual(['main']);

    await createCleanup(deps)({}, invocationContext().context);

    expect(await listedStores(deps)).toEqual(['east', 'main']);
    expect(await getOrUndefined(inventory, 'east', reservationKey(expired))).toBeUndefined();
  });
});
