import { HttpRequest } from '@azure/functions';
import { describe, expect, it } from 'vitest';
import { createBrewer } from '../../functions/beverages/brewer';
import { DUE_PARTITION, JOB_ROW } from '../../functions/beverages/rows';
import { createInventoryApi } from '../../functions/inventory/api';
import { createReservations } from '../../functions/inventory/reservations';
import { reservationKey } from '../../functions/inventory/rows';
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

  it('deletes reservations and brewing jobs of orders past RETENTION_DAYS, keeps recent ones and the stock, and a late copy of such an order reserves and brews nothing', async () => {
    const now = new Date('2026-11-25T10:00:00.000Z');
    const deps = testDeps({ retentionDays: 30 }, () => now);
    const inventory = await deps.table(TABLES.inventory);
    const beverages = await deps.table(TABLES.beverages);
    const setStock = (storeId: string) =>
      createInventoryApi(deps).setStock(new HttpRequest({ method: 'PUT', url: `http://localhost/inventories/${storeId}`, params: { storeId }, body: { string: JSON.stringify({ cups: 10 }) }, headers: { 'content-type': 'application/json' } }));
    await setStock('main');
    await setStock('north');
    const old = [newOrderId(new Date(now.getTime() - 40 * DAY)), newOrderId(new Date(now.getTime() - 31 * DAY))];
    const recent = newOrderId(new Date(now.getTime() - 29 * DAY));
    // An id this app did not make says nothing of its age: it is kept.
    const foreign = 'zzzzzzzzzzzzforeign';
    for (const storeId of ['main', 'north']) {
      for (const id of [...old, recent, foreign]) await inventory.createEntity({ partitionKey: storeId, rowKey: reservationKey(id), outcome: 'reserved', cups: 1 });
    }
    for (const id of [...old, recent]) await beverages.createEntity({ partitionKey: id, rowKey: JOB_ROW, storeId: 'main', status: 'completed' });
    await beverages.createEntity({ partitionKey: DUE_PARTITION, rowKey: `${now.toISOString()}_${recent}`, orderId: recent });

    await createCleanup(deps)({}, invocationContext().context);

    const has = async (client: typeof inventory, partitionKey: string, rowKey: string) => (await getOrUndefined(client, partitionKey, rowKey)) !== undefined;
    for (const storeId of ['main', 'north']) {
      expect(await Promise.all([...old, recent, foreign].map((id) => has(inventory, storeId, reservationKey(id))))).toEqual([false, false, true, true]);
      expect(await has(inventory, storeId, 'stock')).toBe(true);
    }
    expect(await Promise.all([...old, recent].map((id) => has(beverages, id, JOB_ROW)))).toEqual([false, false, true]);
    expect(await has(beverages, DUE_PARTITION, `${now.toISOString()}_${recent}`)).toBe(true);
    // The directory is no store: listing the stores still works after the timer.
    const listed = await createInventoryApi(deps).listStock(new HttpRequest({ method: 'GET', url: 'http://localhost/inventories' }));
    expect((JSON.parse(String(listed.body)) as { storeId: string }[]).map((s) => s.storeId)).toEqual(['main', 'north']);

    // A late copy (a replayed range) of the expired order's events: no cups taken, no brew, no failure.
    const envelope = { orderId: old[0]!, storeId: 'main', occurredAt: new Date(now.getTime() - 40 * DAY).toISOString(), customerId: 'c-1' };
    const items = [{ menuItemId: 'americano', quantity: 3 }];
    expect(await createReservations(deps)([makeEvent('OrderPlaced', { ...envelope, items, cups: 3 })], invocationContext().context)).toEqual([]);
    expect(await createBrewer(deps).brew([makeEvent('CupsReserved', { ...envelope, items, cups: 3 })], invocationContext().context)).toEqual([]);
    expect(await has(inventory, 'main', reservationKey(old[0]!))).toBe(false);
    expect((await inventory.getEntity<{ cups: number }>('main', 'stock')).cups).toBe(10);
    expect(await has(beverages, old[0]!, JOB_ROW)).toBe(false);
    expect(deps.publisher.published).toEqual([]);
  });
});
