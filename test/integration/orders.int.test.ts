import { TableClient } from '@azure/data-tables';
import { HttpRequest } from '@azure/functions';
import { describe, expect, it } from 'vitest';
import { createOrdersApi } from '../../functions/orders/api';
import { createOrderProgress } from '../../functions/orders/progress';
import { OPEN_PARTITION, ORDER_PARTITIONS_END, orderAt } from '../../functions/orders/rows';
import { MAX_NUDGES, createOrderSweep } from '../../functions/orders/sweep';
import { makeEvent } from '../../shared/events';
import { withProblems } from '../../shared/http';
import { getOrUndefined } from '../../shared/tables';
import { TABLES } from '../../shared/topology';
import { invocationContext } from '../support/context';
import { silentTableService, testDeps } from '../support/deps';

function post(body: unknown, headers: Record<string, string> = {}) {
  return new HttpRequest({ method: 'POST', url: 'http://localhost/orders', body: { string: typeof body === 'string' ? body : JSON.stringify(body) }, headers: { 'content-type': 'application/json', ...headers } });
}

const americano = { customerId: 'c-1', items: [{ menuItemId: 'americano', quantity: 2 }] };

function clock(start: string) {
  let now = new Date(start);
  return { now: () => now, advance: (seconds: number) => (now = new Date(now.getTime() + seconds * 1000)) };
}

/** Every row of the orders table, in the order Table Storage returns them. */
async function allRows(deps: ReturnType<typeof testDeps>) {
  const rows: { partitionKey?: string; rowKey?: string }[] = [];
  for await (const row of (await deps.table(TABLES.orders)).listEntities()) rows.push(row);
  return rows;
}

/** An intake that died after its open-order row and before the order row. */
async function halfPlaced(orderId: string, idempotent: boolean) {
  const time = clock('2026-11-25T10:00:00.000Z');
  const deps = testDeps({ orderNudgeAfterSeconds: 1 }, time.now);
  const client = await deps.table(TABLES.orders);
  const event = makeEvent('OrderPlaced', { orderId, storeId: 'main', occurredAt: time.now().toISOString(), customerId: 'c-9', items: [{ menuItemId: 'iced-tea', quantity: 1 }], cups: 1 });
  await client.createEntity({ partitionKey: OPEN_PARTITION, rowKey: orderId, event: JSON.stringify(event), nextNudgeAt: time.now().toISOString(), nudges: 0, idempotent });
  time.advance(2);
  await createOrderSweep(deps)({}, invocationContext().context);
  return { deps, client, event };
}

describe('taking orders against Azurite', () => {
  it('stores a pending order, publishes OrderPlaced and points to the order', async () => {
    const deps = testDeps();
    const api = createOrdersApi(deps);
    const response = await api.placeOrder(post(americano), invocationContext().context);
    const order = JSON.parse(String(response.body));
    expect(response.status).toBe(202);
    expect(response.headers).toMatchObject({ location: `/orders/${order.id}` });
    expect(order).toMatchObject({ status: 'pending', cups: 2, storeId: 'main', customerId: 'c-1' });
    expect(deps.publisher.published).toEqual([expect.objectContaining({ type: 'OrderPlaced', orderId: order.id, cups: 2 })]);
  });

  it('answers a repeated Idempotency-Key with the same order and places nothing new', async () => {
    const deps = testDeps();
    const api = createOrdersApi(deps);
    const key = { 'idempotency-key': 'tap-42' };
    const responses = await Promise.all([1, 2, 3].map(() => api.placeOrder(post(americano, key), invocationContext().context)));
    const ids = responses.map((r) => JSON.parse(String(r.body)).id);
    expect(new Set(ids).size).toBe(1);
    expect(deps.publisher.ofType('OrderPlaced')).toHaveLength(1);
    // The same body without the default store spelled out is the same request.
    const again = await api.placeOrder(post({ storeId: 'main', ...americano }, key), invocationContext().context);
    expect(JSON.parse(String(again.body))).toMatchObject({ id: ids[0], customerId: 'c-1' });
  });

  it('the same Idempotency-Key from another customer places a second order', async () => {
    const deps = testDeps();
    const api = createOrdersApi(deps);
    const key = { 'idempotency-key': 'tap-1' };
    const first = JSON.parse(String((await api.placeOrder(post(americano, key), invocationContext().context)).body));
    const other = await api.placeOrder(post({ ...americano, customerId: 'c-2' }, key), invocationContext().context);
    expect(other.status).toBe(202);
    expect(JSON.parse(String(other.body))).toMatchObject({ customerId: 'c-2', status: 'pending' });
    expect(JSON.parse(String(other.body)).id).not.toBe(first.id);
    expect(deps.publisher.ofType('OrderPlaced').map((e) => e.customerId)).toEqual(['c-1', 'c-2']);
  });

  it('a key reused by the same customer with another body is a 422 problem and writes nothing', async () => {
    const deps = testDeps();
    const place = withProblems(createOrdersApi(deps).placeOrder);
    const key = { 'idempotency-key': 'tap-7' };
    expect((await place(post(americano, key), invocationContext().context)).status).toBe(202);
    const before = await allRows(deps);

    const changed = await place(post({ ...americano, items: [{ menuItemId: 'americano', quantity: 3 }] }, key), invocationContext().context);
    expect(changed.status).toBe(422);
    expect(changed.headers).toMatchObject({ 'content-type': 'application/problem+json; charset=utf-8' });
    expect(JSON.parse(String(changed.body))).toMatchObject({ status: 422, type: expect.stringContaining('idempotency-key-reused') });
    expect(await allRows(deps)).toEqual(before);
    expect(deps.publisher.ofType('OrderPlaced')).toHaveLength(1);
  });

  it('an expired Idempotency-Key places a new order, and a key within its lifetime does not', async () => {
    const time = clock('2026-11-25T10:00:00.000Z');
    const deps = testDeps({ idempotencyTtlHours: 1 }, time.now);
    const api = createOrdersApi(deps);
    const key = { 'idempotency-key': 'tap-9' };
    const idOf = async () => JSON.parse(String((await api.placeOrder(post(americano, key), invocationContext().context)).body)).id as string;
    const first = await idOf();
    time.advance(3599);
    expect(await idOf()).toBe(first);
    time.advance(2);
    const renewed = await idOf();
    expect(renewed).not.toBe(first);
    expect(await idOf()).toBe(renewed); // the key now stands for the new order
    expect(deps.publisher.ofType('OrderPlaced').map((e) => e.orderId)).toEqual([first, renewed]);
  });

  it('a repeat finishes an order whose first request died after claiming its key', async () => {
    const deps = testDeps();
    const api = createOrdersApi(deps);
    const key = { 'idempotency-key': 'tap-dies' };
    const { id } = JSON.parse(String((await api.placeOrder(post(americano, key), invocationContext().context)).body));
    // Undo everything but the key row, as if the process had died right after claiming it.
    const client = await deps.table(TABLES.orders);
    await client.deleteEntity(orderAt(id).partitionKey, id);
    await client.deleteEntity(OPEN_PARTITION, id);

    const repeat = await api.placeOrder(post(americano, key), invocationContext().context);
    expect(JSON.parse(String(repeat.body))).toMatchObject({ id, status: 'pending' });
    expect(await getOrUndefined(client, orderAt(id).partitionKey, id)).toMatchObject({ customerId: 'c-1', cups: 2 });
    expect(await getOrUndefined(client, OPEN_PARTITION, id)).toMatchObject({ idempotent: true });
  });

  it('keeps key rows behind every order, out of the newest-first scan of GET /orders', async () => {
    const deps = testDeps();
    const api = createOrdersApi(deps);
    for (const tap of ['a', 'b', 'c']) await api.placeOrder(post(americano, { 'idempotency-key': tap }), invocationContext().context);
    const rows = await allRows(deps);
    const firstKeyRow = rows.findIndex((r) => r.rowKey === 'key');
    const lastOrderRow = rows.map((r) => r.partitionKey! < ORDER_PARTITIONS_END).lastIndexOf(true);
    expect(rows.filter((r) => r.rowKey === 'key')).toHaveLength(3);
    expect(firstKeyRow).toBeGreaterThan(lastOrderRow);
  });

  it('answers 202 while the hub never answers, and the sweep re-drives the order', { timeout: 20_000 }, async () => {
    const time = clock('2026-11-25T10:00:00.000Z');
    const deps = testDeps({ intakeTimeoutSeconds: 1, orderNudgeAfterSeconds: 30 }, time.now);
    deps.publisher.hangs = true;
    const { context, logs } = invocationContext();
    const response = await createOrdersApi(deps).placeOrder(post(americano), context);
    expect(response.status).toBe(202);
    const { id } = JSON.parse(String(response.body));
    expect(logs.map((l) => l.message)).toEqual(expect.arrayContaining([expect.stringContaining(`order ${id} stored but OrderPlaced not yet published`)]));
    expect(await getOrUndefined(await deps.table(TABLES.orders), orderAt(id).partitionKey, id)).toMatchObject({ status: 'pending' });

    deps.publisher.hangs = false;
    time.advance(31);
    await createOrderSweep(deps)({}, invocationContext().context);
    expect(deps.publisher.ofType('OrderPlaced').map((e) => e.orderId)).toEqual([id]);
  });

  it('answers 503 with Retry-After when storage does not answer within the intake bound', { timeout: 20_000 }, async () => {
    const silent = await silentTableService();
    try {
      const deps = testDeps({ intakeTimeoutSeconds: 1 });
      const hanging = TableClient.fromConnectionString(silent.connectionString, 'orders', { allowInsecureConnection: true });
      deps.table = async () => hanging;
      const response = await withProblems(createOrdersApi(deps).placeOrder)(post(americano, { 'idempotency-key': 'tap-503' }), invocationContext().context);
      expect(response.status).toBe(503);
      expect(response.headers).toMatchObject({ 'content-type': 'application/problem+json; charset=utf-8', 'retry-after': '5' });
      expect(deps.publisher.published).toEqual([]);
    } finally {
      await silent.close();
    }
  });

  it.each([
    ['malformed JSON', '{"customerId":', 'malformed-json'],
    ['an unknown field', { ...americano, status: 'completed' }, 'validation'],
    ['an item not on the menu', { customerId: 'c', items: [{ menuItemId: 'soju', quantity: 1 }] }, 'validation'],
  ])('rejects %s with a problem and writes nothing', async (_, body, slug) => {
    const deps = testDeps();
    const response = await withProblems(createOrdersApi(deps).placeOrder)(post(body), invocationContext().context);
    expect(response.status).toBe(400);
    expect(response.headers).toMatchObject({ 'content-type': 'application/problem+json; charset=utf-8' });
    expect(JSON.parse(String(response.body)).type).toContain(slug);
    expect(deps.publisher.published).toEqual([]);
    const orders = await deps.table(TABLES.orders);
    const rows = [];
    for await (const row of orders.listEntities()) rows.push(row);
    expect(rows).toEqual([]);
  });

  it('a failed publish leaves the order pending, and the sweep re-drives it', async () => {
    const time = clock('2026-11-25T10:00:00.000Z');
    const deps = testDeps({ orderNudgeAfterSeconds: 30 }, time.now);
    deps.publisher.failNext = 1;
    const response = await createOrdersApi(deps).placeOrder(post(americano), invocationContext().context);
    const { id } = JSON.parse(String(response.body));
    expect(response.status).toBe(202);
    expect(deps.publisher.published).toEqual([]);

    const sweep = createOrderSweep(deps);
    await sweep({}, invocationContext().context);
    expect(deps.publisher.published).toEqual([]); // not due yet
    time.advance(31);
    await sweep({}, invocationContext().context);
    expect(deps.publisher.ofType('OrderPlaced').map((e) => e.orderId)).toEqual([id]);
    await sweep({}, invocationContext().context);
    expect(deps.publisher.ofType('OrderPlaced')).toHaveLength(1); // backs off before the next nudge
  });

  it('the sweep leaves an order the saga is still moving alone, and nudges it once it stands still', async () => {
    const time = clock('2026-11-25T10:00:00.000Z');
    const deps = testDeps({ orderNudgeAfterSeconds: 30 }, time.now);
    const { id } = JSON.parse(String((await createOrdersApi(deps).placeOrder(post(americano), invocationContext().context)).body));
    const placed = deps.publisher.ofType('OrderPlaced')[0]!;
    // Reserved 25 s later (the consumers were behind): the order moved, so at 31 s it is not stuck.
    time.advance(25);
    await createOrderProgress(deps)([makeEvent('CupsReserved', { orderId: id, storeId: 'main', occurredAt: time.now().toISOString(), customerId: placed.customerId, items: placed.items, cups: placed.cups })], invocationContext().context);
    time.advance(6);
    const sweep = createOrderSweep(deps);
    await sweep({}, invocationContext().context);
    expect(deps.publisher.ofType('OrderPlaced')).toHaveLength(1);
    // 30 s after it last moved, it is nudged.
    time.advance(25);
    await sweep({}, invocationContext().context);
    expect(deps.publisher.ofType('OrderPlaced')).toHaveLength(2);
  });

  it('a pending order is nudged a few times, then left to its deadline instead of feeding a backlog', async () => {
    const time = clock('2026-11-25T10:00:00.000Z');
    const deps = testDeps({ orderNudgeAfterSeconds: 30, orderDeadlineSeconds: 900 }, time.now);
    await createOrdersApi(deps).placeOrder(post(americano), invocationContext().context);
    const sweep = createOrderSweep(deps);
    // Every 10 s for 14 minutes: the nudges back off, and stop after MAX_NUDGES.
    for (let t = 0; t < 84; t++) {
      time.advance(10);
      await sweep({}, invocationContext().context);
    }
    expect(deps.publisher.ofType('OrderPlaced')).toHaveLength(1 + MAX_NUDGES);
    // At the deadline the order is not nudged again: its cancel is requested.
    time.advance(70);
    await sweep({}, invocationContext().context);
    expect(deps.publisher.ofType('OrderPlaced')).toHaveLength(1 + MAX_NUDGES);
    expect(deps.publisher.ofType('CancelRequested')).toHaveLength(1);
  });

  it('an order whose OrderPlaced came through the hub is not nudged while it waits in a backlog, only held to its deadline', async () => {
    const time = clock('2026-11-25T10:00:00.000Z');
    const deps = testDeps({ orderNudgeAfterSeconds: 30, orderDeadlineSeconds: 900 }, time.now);
    const api = createOrdersApi(deps);
    await api.placeOrder(post(americano), invocationContext().context);
    await api.placeOrder(post({ ...americano, customerId: 'c-2' }), invocationContext().context);
    const [seen, unseen] = deps.publisher.ofType('OrderPlaced');
    // The orders consumer reads the first order's OrderPlaced; inventory is far behind for both.
    await createOrderProgress(deps)([seen!], invocationContext().context);
    const sweep = createOrderSweep(deps);
    for (let t = 0; t < 30; t++) {
      time.advance(20);
      await sweep({}, invocationContext().context);
    }
    const nudged = deps.publisher.ofType('OrderPlaced').slice(2).map((e) => e.orderId);
    expect(nudged).not.toContain(seen!.orderId);
    expect(nudged).toContain(unseen!.orderId);
    // At its deadline the seen order has its cancel requested like any other.
    time.advance(400);
    await sweep({}, invocationContext().context);
    expect(deps.publisher.ofType('CancelRequested').map((e) => e.orderId)).toContain(seen!.orderId);
  });

  it('the sweep drops an order the intake never stored when no Idempotency-Key can bring the client back', async () => {
    const { deps, client } = await halfPlaced('unacked1', false);
    expect(await getOrUndefined(client, orderAt('unacked1').partitionKey, 'unacked1')).toBeUndefined();
    expect(await getOrUndefined(client, OPEN_PARTITION, 'unacked1')).toBeUndefined();
    expect(deps.publisher.published).toEqual([]);
  });

  it('the sweep publishes the outcome of a final order whose own publish was lost, then closes it', async () => {
    const time = clock('2026-11-25T10:00:00.000Z');
    const deps = testDeps({ orderNudgeAfterSeconds: 5 }, time.now);
    const { id } = JSON.parse(String((await createOrdersApi(deps).placeOrder(post(americano), invocationContext().context)).body));
    const brewed = makeEvent('BeverageCompleted', { orderId: id, storeId: 'main', occurredAt: time.now().toISOString() });
    deps.publisher.failNext = 1;
    expect(await createOrderProgress(deps)([brewed], invocationContext().context)).toHaveLength(1);
    expect(deps.publisher.ofType('OrderCompleted')).toEqual([]);

    time.advance(6);
    await createOrderSweep(deps)({}, invocationContext().context);
    expect(deps.publisher.ofType('OrderCompleted').map((e) => e.id)).toEqual([`${id}.OrderCompleted`]);
    expect(await getOrUndefined(await deps.table(TABLES.orders), OPEN_PARTITION, id)).toBeUndefined();
  });

  it('the sweep rebuilds an order placed with an Idempotency-Key whose intake died between its two writes', async () => {
    const { deps, client, event } = await halfPlaced('lost1', true);
    expect(await getOrUndefined(client, orderAt('lost1').partitionKey, 'lost1')).toMatchObject({ status: 'pending', customerId: 'c-9', cups: 1 });
    expect(deps.publisher.published).toEqual([event]);
  });

  it('a final outcome closes the open order; if its publish fails the order stays open for the sweep', async () => {
    const deps = testDeps();
    const { id } = JSON.parse(String((await createOrdersApi(deps).placeOrder(post(americano), invocationContext().context)).body));
    const track = createOrderProgress(deps);
    const refusal = makeEvent('CupsOutOfStock', { orderId: id, storeId: 'main', occurredAt: new Date().toISOString(), cups: 2, available: 0 });
    const client = await deps.table(TABLES.orders);

    deps.publisher.failNext = 1;
    expect(await track([refusal], invocationContext().context)).toHaveLength(1);
    expect(await getOrUndefined(client, orderAt(id).partitionKey, id)).toMatchObject({ status: 'cancelled', reason: 'out-of-cups' });
    expect(await getOrUndefined(client, OPEN_PARTITION, id)).toBeDefined();

    expect(await track([refusal], invocationContext().context)).toEqual([]);
    expect(deps.publisher.ofType('OrderCancelled').map((e) => e.id)).toEqual([`${id}.OrderCancelled`]);
    expect(await getOrUndefined(client, OPEN_PARTITION, id)).toBeUndefined();
  });

  it('two instances tracking the same order (a partition rebalance) never roll it back', async () => {
    const deps = testDeps();
    const { id } = JSON.parse(String((await createOrdersApi(deps).placeOrder(post(americano), invocationContext().context)).body));
    const base = { orderId: id, storeId: 'main', occurredAt: new Date().toISOString() };
    const instanceA = createOrderProgress(deps);
    const instanceB = createOrderProgress(deps);
    await instanceA([makeEvent('CupsReserved', { ...base, customerId: 'c-1', items: americano.items, cups: 2 })], invocationContext().context);
    await instanceB([makeEvent('BrewingStarted', { ...base, readyAt: base.occurredAt }), makeEvent('BeverageCompleted', base)], invocationContext().context);
    // A's cached copy still says "accepted": its write must fail on the ETag and re-read, not undo the completion.
    expect(await instanceA([makeEvent('BrewingStarted', { ...base, readyAt: base.occurredAt })], invocationContext().context)).toEqual([]);
    expect(await getOrUndefined(await deps.table(TABLES.orders), orderAt(id).partitionKey, id)).toMatchObject({ status: 'completed' });
    expect(deps.publisher.ofType('OrderCompleted')).toHaveLength(1);
  });
});

describe('listing orders page by page', () => {
  it('answers at most `limit` orders, newest first, and announces the next page in a Link header', async () => {
    const time = clock('2026-11-25T10:00:00.000Z');
    const deps = testDeps({}, time.now);
    const api = createOrdersApi(deps);
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      time.advance(1);
      ids.push(JSON.parse(String((await api.placeOrder(post(americano), invocationContext().context)).body)).id);
    }
    const list = (url: string) => api.listOrders(new HttpRequest({ method: 'GET', url: `http://localhost${url}` }));
    const first = await list('/orders?customerId=c-1&limit=2');
    expect(JSON.parse(String(first.body)).map((o: { id: string }) => o.id)).toEqual([ids[2], ids[1]]);
    const link = (first.headers as Record<string, string>).link;
    expect(link).toMatch(/^<\/orders\?customerId=c-1&limit=2&cursor=[^>]+>; rel="next"$/);
    const second = await list(/<([^>]+)>/.exec(link!)![1]!);
    expect(JSON.parse(String(second.body)).map((o: { id: string }) => o.id)).toEqual([ids[0]]);
    expect((second.headers as Record<string, string>).link).toBeUndefined();
  });

  it('refuses a cursor it never gave out', async () => {
    const api = createOrdersApi(testDeps());
    const response = await withProblems(api.listOrders)(new HttpRequest({ method: 'GET', url: 'http://localhost/orders?cursor=%3Cnot-a-cursor%3E' }), invocationContext().context);
    expect(response.status).toBe(400);
  });
});
