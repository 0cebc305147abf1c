import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { api, eventually, expectOneNotificationEach, isFinal, isRunning, startLocalHost, type Api, type LocalHost, type Order } from '../support/localHost';

/**
 * The saga under the failures Event Hubs and Functions really produce, driven over HTTP against the
 * local host. Storage is the shared test Azurite, which outlives a crashed host as Azure Storage does.
 */
const hosts: LocalHost[] = [];
afterEach(async () => {
  for (const host of hosts.splice(0)) {
    await host.stop();
    host.cleanup();
  }
});

let runs = 0;
const unique = (name: string) => `${name}-${process.pid}-${++runs}-${Date.now().toString(36)}`;

async function start(env: Record<string, string> = {}, dataDir?: string): Promise<{ host: LocalHost; http: Api }> {
  const host = await startLocalHost({ env: { TablesConnection: inject('tablesConnection'), ...env }, ...(dataDir ? { dataDir } : {}) });
  hosts.push(host);
  return { host, http: api(host.url) };
}

async function order(http: Api, storeId: string, customerId: string, quantity: number): Promise<Order> {
  const response = await http.send<Order>('POST', '/orders', { storeId, customerId, items: [{ menuItemId: 'americano', quantity }] });
  expect(response.status).toBe(202);
  return response.body;
}

async function allFinal(http: Api, storeId: string, count: number, timeoutMs = 45_000): Promise<Order[]> {
  return eventually(async () => {
    const { body } = await http.get<Order[]>(`/orders?storeId=${storeId}`);
    return body.length === count && body.every(isFinal) ? body : undefined;
  }, `${count} final orders in ${storeId}`, timeoutMs);
}

async function consumersIdle(http: Api): Promise<void> {
  await eventually(async () => {
    const { body } = await http.get<{ pending: number }[]>('/_eventhubs');
    return body.every((c) => c.pending === 0) ? true : undefined;
  }, 'every consumer to catch up');
}

function secondWorkerPid(host: LocalHost): number | undefined {
  const match = /Second worker: pid (\d+)/.exec(host.output());
  return match ? Number(match[1]) : undefined;
}

describe('the saga under failure', () => {
  it('answers 503 on /health and to orders while table storage does not answer', async () => {
    const { freePort, tableConnectionString } = await import('../../local-host/src/azurite');
    const { http } = await start({ TablesConnection: tableConnectionString(await freePort()), CAFE_LOG_LEVEL: 'none' });
    const health = await http.get<{ status: number }>('/health');
    expect(health.status).toBe(503);
    expect(health.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    const order = await http.send<{ status: number }>('POST', '/orders', { customerId: 'c-down', items: [{ menuItemId: 'americano', quantity: 1 }] });
    expect(order.status).toBe(503);
    expect(order.headers.get('retry-after')).toBe('5');
    expect(order.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  });

  it('competing orders for scarce cups never oversell and complete exactly as many as fit', async () => {
    const { http } = await start();
    const store = unique('rush');
    await http.send('PUT', `/inventories/${store}`, { cups: 7 });
    const placed = await Promise.all(Array.from({ length: 16 }, (_, i) => order(http, store, `${store}-c${i}`, 1 + (i % 2))));
    const orders = await allFinal(http, store, placed.length);

    const completedCups = orders.filter((o) => o.status === 'completed').reduce((sum, o) => sum + o.cups, 0);
    const { body: stock } = await http.get<{ cups: number }>(`/inventories/${store}`);
    expect(stock.cups).toBeGreaterThanOrEqual(0);
    expect(completedCups + stock.cups).toBe(7);
    // Whatever is left is too little for any refused order: none was refused while its cups were free.
    const smallestRefused = Math.min(...orders.filter((o) => o.status === 'cancelled').map((o) => o.cups));
    expect(stock.cups).toBeLessThan(smallestRefused);
    await expectOneNotificationEach(http, orders);
  });

  it('delivering every event twice leaves the same outcome and one notification per order', async () => {
    const { http } = await start({ CAFE_DELIVER_TWICE: 'true' });
    const store = unique('twice');
    await http.send('PUT', `/inventories/${store}`, { cups: 3 });
    await order(http, store, `${store}-a`, 2);
    await order(http, store, `${store}-b`, 2);
    await order(http, store, `${store}-c`, 1);
    const orders = await allFinal(http, store, 3);
    expect(orders.map((o) => o.status).reverse()).toEqual(['completed', 'cancelled', 'completed']);
    await consumersIdle(http);
    expect((await http.get<{ cups: number }>(`/inventories/${store}`)).body.cups).toBe(0);
    await expectOneNotificationEach(http, orders);
    const beverages = await http.get<unknown[]>(`/beverages?orderId=${orders[0]!.id}`);
    expect(beverages.body).toHaveLength(1);
  });

  it('two worker processes given every batch at once leave the same outcome and one notification per order', async () => {
    const { host, http } = await start({ CAFE_CONCURRENT_DELIVERY: 'true', CAFE_LOG_LEVEL: 'debug' });
    const pid = secondWorkerPid(host);
    expect(pid).not.toBe(undefined);
    const store = unique('rebalance');
    await http.send('PUT', `/inventories/${store}`, { cups: 5 });
    const placed = await Promise.all(Array.from({ length: 8 }, (_, i) => order(http, store, `${store}-c${i}`, 1)));
    const orders = await allFinal(http, store, placed.length);
    expect(orders.filter((o) => o.status === 'completed')).toHaveLength(5);
    await consumersIdle(http);
    expect((await http.get<{ cups: number }>(`/inventories/${store}`)).body.cups).toBe(0);
    await expectOneNotificationEach(http, orders);
    // Both processes folded the store's events into its one board entity (under its ETag): no order lost or behind.
    const board = (await http.get<{ status: string }[]>(`/kiosk/orders?storeId=${store}`)).body;
    expect(board.map((t) => t.status).sort()).toEqual([...Array<string>(3).fill('cancelled'), ...Array<string>(5).fill('completed')]);
    for (const o of orders.filter((x) => x.status === 'completed')) {
      expect((await http.get<unknown[]>(`/beverages?orderId=${o.id}`)).body, o.id).toHaveLength(1);
    }
    // Every consumer of the hub also ran in the second process (the host logs the rest of the banner first).
    const consumers = [...host.output().matchAll(/^ {4}eventHub +\S+ +(\S+)$/gm)].map((m) => m[1]!);
    expect(consumers.length).toBeGreaterThan(0);
    for (const fn of consumers) expect(host.output(), fn).toMatch(new RegExp(`DEBUG ${fn}: invocation \\d+ done \\[second worker, pid ${pid}\\]`));
  });

  it('the second worker process ends with the host, whether the host stops or is killed', async () => {
    for (const end of ['stop', 'kill'] as const) {
      const { host } = await start({ CAFE_CONCURRENT_DELIVERY: 'true' });
      const pid = secondWorkerPid(host)!;
      expect(isRunning(pid), `${end}: the worker runs`).toBe(true);
      await host[end]();
      hosts.splice(hosts.indexOf(host), 1);
      host.cleanup();
      await eventually(async () => (isRunning(pid) ? undefined : true), `the second worker to end after a ${end}`);
    }
  });

  it('a disabled consumer leaves its events waiting; re-enabled, they flow and the order completes', async () => {
    const first = await start({ 'AzureWebJobs.brewBeverages.Disabled': 'true' });
    const store = unique('paused');
    await first.http.send('PUT', `/inventories/${store}`, { cups: 5 });
    const placed = await order(first.http, store, `${store}-c`, 1);
    await eventually(async () => ((await first.http.get<Order>(`/orders/${placed.id}`)).body.status === 'accepted' ? true : undefined), 'the order to be accepted');
    const waiting = await first.http.get<{ function: string; pending: number }[]>('/_eventhubs');
    expect(waiting.body.map((c) => c.function)).not.toContain('brewBeverages');
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect((await first.http.get<Order>(`/orders/${placed.id}`)).body.status).toBe('accepted');
    await first.host.stop();
    hosts.splice(hosts.indexOf(first.host), 1);

    const second = await start({}, first.host.dataDir);
    const done = await allFinal(second.http, store, 1);
    expect(done[0]).toMatchObject({ id: placed.id, status: 'completed' });
  });

  it('events older than the hub\'s retention are gone: a consumer down longer than that misses them and says so', async () => {
    const retention = { CAFE_EVENTHUB_RETENTION_HOURS: '0.002' }; // 7.2 s
    const first = await start({ ...retention, 'AzureWebJobs.notifyCustomers.Disabled': 'true' });
    const store = unique('retention');
    await first.http.send('PUT', `/inventories/${store}`, { cups: 5 });
    const old = await order(first.http, store, `${store}-old`, 1);
    await allFinal(first.http, store, 1);
    await consumersIdle(first.http);
    await first.host.stop();
    hosts.splice(hosts.indexOf(first.host), 1);
    // Down for longer than the retention, counted from the newest event in the log.
    const hub = path.join(first.host.dataDir, 'eventhubs', 'cafe-events');
    const newest = Math.max(
      ...readdirSync(hub)
        .filter((f) => f.endsWith('.jsonl'))
        .flatMap((f) => readFileSync(path.join(hub, f), 'utf8').split('\n').filter(Boolean))
        .map((line) => Date.parse((JSON.parse(line) as { enqueuedTimeUtc: string }).enqueuedTimeUtc)),
    );
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, newest + 7_200 + 500 - Date.now())));

    const second = await start(retention, first.host.dataDir);
    const fresh = await order(second.http, store, `${store}-new`, 1);
    const orders = await allFinal(second.http, store, 2);
    await consumersIdle(second.http);
    await expectOneNotificationEach(second.http, orders.filter((o) => o.id === fresh.id));
    expect((await second.http.get<unknown[]>(`/notifications?customerId=${old.customerId}&orderId=${old.id}`)).body).toEqual([]);
    expect(second.host.output()).toMatch(/WARNING notifyCustomers: consumer group \S+ partition \d+: \d+ event\(s\) \(0\.\.\d+\) passed the hub's retention/);
  });

  it('a host killed mid-saga loses nothing when it comes back, from its event log alone', async () => {
    // The open-order sweep is off: whatever recovers the orders must be the log and its checkpoints.
    const noSweep = { 'AzureWebJobs.sweepOpenOrders.Disabled': 'true' };
    const first = await start(noSweep);
    const store = unique('crash');
    await first.http.send('PUT', `/inventories/${store}`, { cups: 6 });
    const placed = await Promise.all(Array.from({ length: 10 }, (_, i) => order(first.http, store, `${store}-c${i}`, 1)));
    // Brewing takes a second, so 150 ms in no order can be completed yet: the crash is mid-saga.
    await new Promise((resolve) => setTimeout(resolve, 150));
    await first.host.kill();
    hosts.splice(hosts.indexOf(first.host), 1);

    const second = await start(noSweep, first.host.dataDir);
    const orders = await allFinal(second.http, store, placed.length);
    expect(orders.filter((o) => o.status === 'completed')).toHaveLength(6);
    expect(orders.filter((o) => o.status === 'cancelled')).toHaveLength(4);
    expect((await second.http.get<{ cups: number }>(`/inventories/${store}`)).body.cups).toBe(0);
    await expectOneNotificationEach(second.http, orders);
  });
});
