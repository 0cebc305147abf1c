import { describe, expect, it } from 'vitest';
import { HttpRequest } from '@azure/functions';
import { createInventoryApi } from '../../functions/inventory/api';
import { createReservations } from '../../functions/inventory/reservations';
import { createNotificationErasure } from '../../functions/notifications/erasure';
import { createNotificationsApi } from '../../functions/notifications/api';
import { createNotifier } from '../../functions/notifications/notifier';
import { createStoreAlerts, withStoreAlerts } from '../../functions/notifications/storeAlerts';
import { eventHubConsumer } from '../../shared/consumer';
import { consumerDeps } from '../../shared/deps';
import { withErasure } from '../../shared/erasure';
import { makeEvent, makeStockLow, type OrderCancelled, type OrderPlaced } from '../../shared/events';
import { listAll } from '../../shared/tables';
import { toHttpEtag } from '../../shared/etags';
import { DEFAULT_STORE_SETTINGS, toRow } from '../../shared/storeSettings';
import { TABLES } from '../../shared/topology';
import { invocationContext } from '../support/context';
import { testDeps } from '../support/deps';

const at = '2026-11-25T10:00:00.000Z';
let n = 0;
function placed(storeId: string, cups: number): OrderPlaced {
  const orderId = `o${++n}x${Date.now().toString(36)}`;
  return makeEvent('OrderPlaced', { orderId, storeId, occurredAt: at, customerId: 'c-1', items: [{ menuItemId: 'americano', quantity: cups }], cups });
}
const cancelled = (order: OrderPlaced): OrderCancelled =>
  makeEvent('OrderCancelled', { orderId: order.orderId, storeId: order.storeId, occurredAt: at, customerId: 'c-1', reason: 'customer-cancelled' });

type Deps = ReturnType<typeof testDeps>;
type Api = ReturnType<typeof createInventoryApi>;

function request(method: string, storeId: string, path = '', body?: unknown) {
  return new HttpRequest({
    method,
    url: `http://localhost/inventories/${storeId}${path}`,
    params: { storeId },
    ...(body === undefined ? {} : { body: { string: JSON.stringify(body) }, headers: { 'content-type': 'application/json' } }),
  });
}
const setStock = (api: Api, storeId: string, cups: number) => api.setStock(request('PUT', storeId, '', { cups }), invocationContext().context);
const restock = (api: Api, storeId: string, cups: number) => api.restock(request('POST', storeId, '/restock', { cups }), invocationContext().context);
async function stockView(api: Api, storeId: string) {
  return JSON.parse(String((await api.getStock(request('GET', storeId))).body)) as { cups: number; low: boolean; lowStockCups: number };
}
const stockLows = (deps: Deps) => deps.publisher.ofType('StockLow');

async function storeThreshold(deps: Deps, storeId: string, lowStockCups: number) {
  await (await deps.table(TABLES.stores)).createEntity(toRow(storeId, { ...DEFAULT_STORE_SETTINGS, lowStockCups }, new Date()));
}

describe('low stock against Azurite (threshold 5 cups)', () => {
  it('the reservation that takes the stock to the threshold announces StockLow once; later ones below it announce none', async () => {
    const deps = testDeps({ lowStockCups: 5 });
    const api = createInventoryApi(deps);
    const reserve = createReservations(deps);
    await setStock(api, 'main', 8);
    expect(await reserve([placed('main', 2)], invocationContext().context)).toEqual([]); // 6 left: above
    expect(stockLows(deps)).toEqual([]);

    await reserve([placed('main', 1)], invocationContext().context); // 5 left: crossed
    await reserve([placed('main', 2)], invocationContext().context); // 3 left
    await reserve([placed('main', 3)], invocationContext().context); // 0 left

    expect(stockLows(deps)).toEqual([expect.objectContaining({ type: 'StockLow', id: 'main.StockLow.1', storeId: 'main', cups: 5, lowStockCups: 5, crossing: 1 })]);
    expect(stockLows(deps)[0]).not.toHaveProperty('orderId');
    expect(await stockView(api, 'main')).toMatchObject({ cups: 0, low: true, lowStockCups: 5 });
  });

  it('a restock above the threshold re-arms it, and the next crossing announces again under the next id', async () => {
    const deps = testDeps({ lowStockCups: 5 });
    const api = createInventoryApi(deps);
    const reserve = createReservations(deps);
    await setStock(api, 'main', 7);
    await reserve([placed('main', 3)], invocationContext().context); // 4: first crossing
    await restock(api, 'main', 10); // 14: re-armed
    expect(await stockView(api, 'main')).toMatchObject({ cups: 14, low: false });
    await reserve([placed('main', 9)], invocationContext().context); // 5: second crossing

    expect(stockLows(deps).map((e) => [e.id, e.cups])).toEqual([
      ['main.StockLow.1', 4],
      ['main.StockLow.2', 5],
    ]);
  });

  it('a cancel that gives cups back above the threshold re-arms it', async () => {
    const deps = testDeps({ lowStockCups: 5 });
    const api = createInventoryApi(deps);
    const reserve = createReservations(deps);
    await setStock(api, 'main', 8);
    const order = placed('main', 4);
    await reserve([order], invocationContext().context); // 4: crossed
    await reserve([cancelled(order)], invocationContext().context); // 8: re-armed
    await reserve([placed('main', 3)], invocationContext().context); // 5: crossed again
    expect(stockLows(deps).map((e) => e.crossing)).toEqual([1, 2]);
  });

  it('a redelivered batch, and the same batch at two instances at once, announce one StockLow', async () => {
    const deps = testDeps({ lowStockCups: 5 });
    const api = createInventoryApi(deps);
    await setStock(api, 'main', 10);
    const batch = [placed('main', 2), placed('main', 2), placed('main', 2)];
    const one = createReservations(deps);
    const other = createReservations(deps);
    await Promise.all([one(batch, invocationContext().context), other(batch.slice(1), invocationContext().context), one(batch, invocationContext().context)]);
    await other(batch, invocationContext().context);

    expect(new Set(stockLows(deps).map((e) => e.id))).toEqual(new Set(['main.StockLow.1']));
    // Consumers drop copies by id; a copy is only sent while the row still owes it, and it owes it no more.
    const row = await (await deps.table(TABLES.inventory)).getEntity<{ cups: number; crossings: number; announced: number }>('main', 'stock');
    expect(row).toMatchObject({ cups: 4, crossings: 1, announced: 1 });
    const before = stockLows(deps).length;
    await one(batch, invocationContext().context);
    expect(stockLows(deps)).toHaveLength(before);
  });

  it('when the publish fails, the crossing stays owed and the retry announces it with the same id', async () => {
    const deps = testDeps({ lowStockCups: 5 });
    const api = createInventoryApi(deps);
    await setStock(api, 'main', 9);
    const reserve = createReservations(deps);
    const order = placed('main', 5);
    deps.publisher.failNext = 1;
    expect((await reserve([order], invocationContext().context)).map((f) => f.eventId)).toEqual([order.id]);
    expect(stockLows(deps)).toEqual([]);

    expect(await reserve([order], invocationContext().context)).toEqual([]);
    expect(stockLows(deps).map((e) => [e.id, e.cups])).toEqual([['main.StockLow.1', 4]]);
    expect(deps.publisher.ofType('CupsReserved').map((e) => e.orderId)).toEqual([order.orderId]);
  });

  it('after a stock route failed to publish, a read publishes nothing; the next write announces it, or a restock above the threshold drops it', async () => {
    const deps = testDeps({ lowStockCups: 5 });
    const api = createInventoryApi(deps);
    await setStock(api, 'main', 20);
    deps.publisher.failNext = 1;
    expect((await setStock(api, 'main', 3)).status).toBe(200); // crossed; the publish failed: owed
    expect(await stockView(api, 'main')).toMatchObject({ cups: 3, low: true });
    expect(stockLows(deps)).toEqual([]); // reading the stock is only a read
    expect((await setStock(api, 'main', 2)).status).toBe(200); // still low: the owed crossing goes out now
    expect(stockLows(deps).map((e) => [e.id, e.cups])).toEqual([['main.StockLow.1', 3]]);

    await setStock(api, 'main', 20);
    deps.publisher.failNext = 1;
    await setStock(api, 'main', 4); // the second crossing, owed
    expect((await restock(api, 'main', 30)).status).toBe(200); // refilled before it went out: not announced
    await setStock(api, 'main', 40);
    expect(stockLows(deps).map((e) => e.id)).toEqual(['main.StockLow.1']);
  });

  it('a PUT answers the tag of the row it describes, not of a row changed under it', async () => {
    const deps = testDeps({ lowStockCups: 5 });
    const api = createInventoryApi(deps);
    await setStock(api, 'main', 20);
    // A reservation lands between the set's own write and the StockLow mark: the mark is made on that row.
    const client = await deps.table(TABLES.inventory);
    const publish = deps.publisher.publish.bind(deps.publisher);
    let interleaved = false;
    deps.publisher.publish = async (events) => {
      await publish(events);
      if (interleaved || !events.some((e) => e.type === 'StockLow')) return;
      interleaved = true;
      await createReservations(deps)([placed('main', 1)], invocationContext().context);
    };
    const answer = await setStock(api, 'main', 5);
    expect(JSON.parse(String(answer.body))).toMatchObject({ cups: 5 });
    const stored = await client.getEntity<{ cups: number }>('main', 'stock');
    expect(stored.cups).toBe(4);
    // The tag handed out with "5 cups" does not let an If-Match write over the reservation.
    expect((answer.headers as Record<string, string>).etag).not.toBe(toHttpEtag(stored.etag));
    const retry = await api.setStock(
      new HttpRequest({ method: 'PUT', url: 'http://localhost/inventories/main', params: { storeId: 'main' }, body: { string: JSON.stringify({ cups: 10 }) }, headers: { 'content-type': 'application/json', 'if-match': String((answer.headers as Record<string, string>).etag) } }),
      invocationContext().context,
    ).catch((error: unknown) => error);
    expect(retry).toMatchObject({ problem: { status: 412 } });
  });

  it('staff setting the stock to the threshold or below is a crossing; setting it lower again is not', async () => {
    const deps = testDeps({ lowStockCups: 5 });
    const api = createInventoryApi(deps);
    await setStock(api, 'main', 20);
    await setStock(api, 'main', 3);
    await setStock(api, 'main', 1);
    expect(stockLows(deps).map((e) => [e.id, e.cups])).toEqual([['main.StockLow.1', 3]]);
    expect(await stockView(api, 'main')).toMatchObject({ cups: 1, low: true });
  });

  it("a store's own threshold from the stores table overrides the app's", async () => {
    const deps = testDeps({ lowStockCups: 5 });
    await storeThreshold(deps, 'big', 20);
    await storeThreshold(deps, 'tiny', 0);
    const api = createInventoryApi(deps);
    const reserve = createReservations(deps);
    await setStock(api, 'big', 30);
    await setStock(api, 'tiny', 8);
    await reserve([placed('big', 10), placed('tiny', 5)], invocationContext().context); // big 20, tiny 3

    expect(stockLows(deps).map((e) => [e.storeId, e.cups, e.lowStockCups])).toEqual([['big', 20, 20]]);
    expect(await stockView(api, 'big')).toMatchObject({ low: true, lowStockCups: 20 });
    expect(await stockView(api, 'tiny')).toMatchObject({ low: false, lowStockCups: 0 });
    const listed = JSON.parse(String((await api.listStock(new HttpRequest({ method: 'GET', url: 'http://localhost/inventories' }))).body)) as { storeId: string; low: boolean }[];
    expect(listed.map((s) => [s.storeId, s.low]).sort()).toEqual([
      ['big', true],
      ['tiny', false],
    ]);
  });
});

describe('who hears of a StockLow', () => {
  const stockLow = makeStockLow({ storeId: 'main', occurredAt: at, cups: 4, lowStockCups: 5, crossing: 3 });
  const QUICK = { handle: { firstDelayMs: 2, maxDelayMs: 20, budgetMs: 200 }, park: { firstDelayMs: 2, maxDelayMs: 50, budgetMs: 1_000 } };

  it('the notifications service records one staff notification per crossing, however often it is delivered, listed by store', async () => {
    const deps = testDeps();
    const run = eventHubConsumer(
      {
        name: 'notifyCustomers',
        accepts: ['OrderCancelled', 'OrderCompleted', 'CustomerErased', 'StockLow'],
        handle: withErasure(withStoreAlerts(createNotifier(deps), createStoreAlerts(deps)), createNotificationErasure(deps)),
      },
      { ...consumerDeps(deps), retries: QUICK },
    );
    const completed = makeEvent('OrderCompleted', { orderId: 'o-low-1', storeId: 'main', occurredAt: at, customerId: 'c-1' });
    await run([stockLow, completed, JSON.stringify(stockLow)], invocationContext().context);
    await run([stockLow], invocationContext().context);

    const api = createNotificationsApi(deps);
    const listed = await api.listNotifications(new HttpRequest({ method: 'GET', url: 'http://localhost/notifications?storeId=main' }));
    expect(JSON.parse(String(listed.body))).toEqual([
      expect.objectContaining({ id: 'main.StockLow.3', storeId: 'main', kind: 'stock-low', cups: 4, lowStockCups: 5, message: expect.stringContaining('low on cups: 4 left') }),
    ]);
    // the customer's notification went on as before, and the store's does not show among the orders'
    const all = JSON.parse(String((await api.listNotifications(new HttpRequest({ method: 'GET', url: 'http://localhost/notifications' }))).body)) as { kind: string }[];
    expect(all.map((n) => n.kind)).toEqual(['order-completed']);
    const bad = await api.listNotifications(new HttpRequest({ method: 'GET', url: 'http://localhost/notifications?storeId=main&orderId=o-low-1' })).catch((e: unknown) => e);
    expect(bad).toMatchObject({ problem: { status: 400 } });
    expect(await listAll(await deps.table(TABLES.deadLetters), '')).toEqual([]);
  });

  it('a consumer that does not take StockLow skips it without dead-lettering it', async () => {
    const deps = testDeps();
    const seen: string[] = [];
    const run = eventHubConsumer<'OrderPlaced'>(
      { name: 'projectKiosk', accepts: ['OrderPlaced'], handle: async (events) => (seen.push(...events.map((e) => e.id)), []) },
      { ...consumerDeps(deps), retries: QUICK },
    );
    const order = placed('main', 1);
    const { context, logs } = invocationContext();
    await run([stockLow, order], context);
    expect(seen).toEqual([order.id]);
    expect(await listAll(await deps.table(TABLES.deadLetters), '')).toEqual([]);
    expect(logs.filter((l) => l.level === 'warn' || l.level === 'error')).toEqual([]);
  });
});
