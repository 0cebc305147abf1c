import { readdirSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { api, eventually, expectOneNotificationEach, isFinal, startLocalHost, type Api, type LocalHost, type Order } from '../support/localHost';

/**
 * `npm start` as a user runs it: the host with its own Azurite, in one process group, killed or
 * terminated as a whole and started again on the same data folder. Azurite keeps acknowledged writes
 * in memory between saves, so these tests fail unless the storage journal carries them over.
 */
const hosts: LocalHost[] = [];
afterEach(async () => {
  for (const host of hosts.splice(0)) {
    await host.stop();
    host.cleanup();
  }
});

async function start(dataDir?: string, env: Record<string, string> = {}): Promise<{ host: LocalHost; http: Api }> {
  const host = await startLocalHost({ processGroup: true, env: { BREW_SECONDS: '1', CAFE_LOG_LEVEL: 'information', ...env }, ...(dataDir ? { dataDir } : {}) });
  hosts.push(host);
  return { host, http: api(host.url) };
}

function retire(host: LocalHost): void {
  hosts.splice(hosts.indexOf(host), 1);
}

interface Placed {
  key: string;
  order: Order;
}

/** Acknowledged writes of every kind: stock set, restock, orders with Idempotency-Keys. */
async function acknowledgedWork(http: Api, store: string): Promise<Placed[]> {
  expect((await http.send('PUT', `/inventories/${store}`, { cups: 6 })).status).toBe(200);
  expect((await http.send('POST', `/inventories/${store}/restock`, { cups: 4 })).status).toBe(200);
  const placed: Placed[] = [];
  for (let i = 0; i < 12; i++) {
    const key = `${store}-key-${i}`;
    const response = await http.send<Order>('POST', '/orders', { storeId: store, customerId: `${store}-c${i}`, items: [{ menuItemId: 'americano', quantity: 1 }] }, { 'idempotency-key': key });
    expect(response.status).toBe(202);
    placed.push({ key, order: response.body });
  }
  return placed;
}

/** After the restart: nothing acknowledged is gone, nothing is doubled, and the saga finishes consistently. */
async function expectEverythingKept(http: Api, store: string, placed: Placed[]): Promise<void> {
  for (const { key, order } of placed) {
    const read = await http.get<Order>(`/orders/${order.id}`);
    expect(read.status, `order ${order.id} was acknowledged before the crash`).toBe(200);
    const again = await http.send<Order>('POST', '/orders', { storeId: store, customerId: order.customerId, items: [{ menuItemId: 'americano', quantity: 1 }] }, { 'idempotency-key': key });
    expect(again.body.id, `Idempotency-Key ${key} must still name its order`).toBe(order.id);
  }
  const orders = await eventually(async () => {
    const { body } = await http.get<Order[]>(`/orders?storeId=${store}`);
    return body.length >= placed.length && body.every(isFinal) ? body : undefined;
  }, 'every order final', 45_000);
  expect(orders).toHaveLength(placed.length);
  const completed = orders.filter((o) => o.status === 'completed');
  expect(completed).toHaveLength(10);
  // Stock set to 6 and restocked by 4: the restock survived, and no cup was taken twice or lost.
  const stock = await http.get<{ cups: number }>(`/inventories/${store}`);
  expect(stock.body.cups).toBe(0);
  await expectOneNotificationEach(http, orders);
}

describe('npm start survives the loss of its whole process group', () => {
  it('SIGKILL right after the answers: every acknowledged write is there after the restart', async () => {
    const first = await start();
    const store = 'crash-kill';
    const placed = await acknowledgedWork(first.http, store);
    // At once: Azurite has not saved any of this yet (it saves every few seconds at most).
    await first.host.kill();
    retire(first.host);

    const second = await start(first.host.dataDir);
    await expectEverythingKept(second.http, store, placed);
  });

  it.each([
    ['SIGTERM (a service manager)', 'crash-term', (host: LocalHost) => host.stop()],
    ['Ctrl-C (SIGINT, which a terminal sends to Azurite too)', 'crash-int', (host: LocalHost) => host.interrupt()],
  ] as const)('%s to the whole group with work in flight drains, then stores everything: storage goes last, the journal is empty and the restart finds it all', async (_signal, store, end) => {
    const first = await start();
    const placed = await acknowledgedWork(first.http, store);
    // At once, with the saga still running.
    await end(first.host);
    retire(first.host);
    expect(first.host.output()).toMatch(/stopped/);
    // No consumer or timer met a storage that had gone: Azurite went last and saved, nothing is left to replay.
    expect(first.host.output()).not.toMatch(/ECONNREFUSED|could not take the request/);
    const journal = path.join(first.host.dataDir, 'storage-journal');
    expect(readdirSync(journal).filter((name) => name.endsWith('.jsonl'))).toEqual([]);

    const second = await start(first.host.dataDir);
    await expectEverythingKept(second.http, store, placed);
  });
});
