import { TableClient } from '@azure/data-tables';
import { describe, expect, inject, it } from 'vitest';
import { DEFAULT_STORE_SETTINGS, toRow, type StoreSettings } from '../../shared/storeSettings';
import { TABLES } from '../../shared/topology';
import { eventually, sharedLocalHost, type Order } from '../support/localHost';

/**
 * A store with one drink machine, over HTTP on the local host: its orders brew one after another, and
 * an order waiting for the machine can still be cancelled. The store's settings are written straight
 * into the stores table, as `PATCH /stores/{storeId}` would.
 */
const shared = sharedLocalHost();
const run = `${process.pid}-${Date.now().toString(36)}`;

async function configure(storeId: string, settings: Partial<StoreSettings>) {
  const client = TableClient.fromConnectionString(inject('tablesConnection'), TABLES.stores, { allowInsecureConnection: true });
  await client.createTable();
  await client.upsertEntity(toRow(storeId, { ...DEFAULT_STORE_SETTINGS, ...settings }, new Date()), 'Replace');
}

async function openStore(storeId: string, brewSeconds: number) {
  await configure(storeId, { machines: 1, brewSeconds: { americano: brewSeconds } });
  expect((await shared.http.send('PUT', `/inventories/${storeId}`, { cups: 10 })).status).toBeLessThan(300);
}

async function place(storeId: string, customerId: string): Promise<Order> {
  const response = await shared.http.send<Order>('POST', '/orders', { storeId, customerId, items: [{ menuItemId: 'americano', quantity: 1 }] });
  expect(response.status).toBe(202);
  return response.body;
}

const statusOf = async (id: string) => (await shared.http.get<Order>(`/orders/${id}`)).body;
const until = (id: string, status: string) => eventually(async () => ((await statusOf(id)).status === status ? statusOf(id) : undefined), `order ${id} to be ${status}`);

describe('a store with one machine', () => {
  it('brews the second order only once the first is done; meanwhile it shows accepted', async () => {
    const store = `one-machine-${run}`;
    await openStore(store, 3);
    const first = await place(store, `${store}-a`);
    await until(first.id, 'brewing');
    const second = await place(store, `${store}-b`);
    await until(second.id, 'accepted');
    // While the first brews, the second waits: still accepted, and on the board as preparing.
    expect((await statusOf(first.id)).status).toBe('brewing');
    expect((await statusOf(second.id)).status).toBe('accepted');
    const board = (await shared.http.get<{ status: string }[]>(`/kiosk/orders?storeId=${store}`)).body;
    expect(board.map((o) => o.status).sort()).toEqual(['accepted', 'brewing']);

    await until(first.id, 'completed');
    await until(second.id, 'completed');
    const [beverage] = (await shared.http.get<{ startedAt: string; readyAt: string }[]>(`/beverages?orderId=${second.id}`)).body;
    const [firstBeverage] = (await shared.http.get<{ readyAt: string }[]>(`/beverages?orderId=${first.id}`)).body;
    expect(Date.parse(beverage!.startedAt)).toBeGreaterThanOrEqual(Date.parse(firstBeverage!.readyAt));
    expect(Date.parse(beverage!.readyAt) - Date.parse(beverage!.startedAt)).toBe(3_000);
  });

  it('a customer cancels the order waiting for the machine: cancelled, never brewed, cups back', async () => {
    const store = `one-machine-cancel-${run}`;
    await openStore(store, 8);
    const first = await place(store, `${store}-a`);
    await until(first.id, 'brewing');
    const second = await place(store, `${store}-b`);
    await until(second.id, 'accepted');
    const asked = await shared.http.send<Order>('POST', `/orders/${second.id}/cancel`, undefined);
    expect(asked.status).toBe(202);
    expect(await until(second.id, 'cancelled')).toMatchObject({ status: 'cancelled', reason: 'customer-cancelled' });
    expect((await shared.http.get<unknown[]>(`/beverages?orderId=${second.id}`)).body).toEqual([]);
    // The first order's cup is used; the cancelled order's comes back.
    await until(first.id, 'completed');
    await eventually(async () => ((await shared.http.get<{ cups: number }>(`/inventories/${store}`)).body.cups === 9 ? true : undefined), 'the cancelled order\'s cup to come back');
    // Too late to cancel the order that brewed.
    expect((await shared.http.send('POST', `/orders/${first.id}/cancel`, undefined)).status).toBe(409);
  });
});
