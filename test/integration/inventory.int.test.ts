import { describe, expect, it } from 'vitest';
import { createInventoryApi } from '../../functions/inventory/api';
import { createReservations } from '../../functions/inventory/reservations';
import { HttpRequest } from '@azure/functions';
import type { TransactionAction } from '@azure/data-tables';
import { isOrderEvent, makeEvent, type OrderPlaced } from '../../shared/events';
import { withProblems } from '../../shared/http';
import { TABLES } from '../../shared/topology';
import { invocationContext } from '../support/context';
import { testDeps } from '../support/deps';

const at = '2026-11-25T10:00:00.000Z';
let n = 0;
function placed(storeId: string, cups: number, orderId = `o${++n}x${Date.now().toString(36)}`): OrderPlaced {
  return makeEvent('OrderPlaced', { orderId, storeId, occurredAt: at, customerId: 'c-1', items: [{ menuItemId: 'americano', quantity: cups }], cups });
}

function put(api: ReturnType<typeof createInventoryApi>, storeId: string, cups: number) {
  return api.setStock(new HttpRequest({ method: 'PUT', url: `http://localhost/inventories/${storeId}`, params: { storeId }, body: { string: JSON.stringify({ cups }) }, headers: { 'content-type': 'application/json' } }));
}

async function cupsOf(deps: ReturnType<typeof testDeps>, storeId: string): Promise<number> {
  return (await (await deps.table(TABLES.inventory)).getEntity<{ cups: number }>(storeId, 'stock')).cups;
}

/** The orders' outcomes published, without the store's StockLow events (test/integration/lowStock.int.test.ts). */
const orderEvents = (deps: ReturnType<typeof testDeps>) => deps.publisher.published.filter(isOrderEvent);

describe('reserving cups against Azurite', () => {
  it('given 10 cups, an order of 11 is refused and an order of 1 takes a cup', async () => {
    const deps = testDeps();
    await put(createInventoryApi(deps), 'main', 10);
    const big = placed('main', 11);
    const small = placed('main', 1);
    const failures = await createReservations(deps)([big, small], invocationContext().context);

    expect(failures).toEqual([]);
    expect(orderEvents(deps).map((e) => [e.type, e.orderId])).toEqual([
      ['CupsOutOfStock', big.orderId],
      ['CupsReserved', small.orderId],
    ]);
    expect(await cupsOf(deps, 'main')).toBe(9);
  });

  it('refuses an order only on the stock as it stands, not on the copy it kept after its last reservation', async () => {
    const deps = testDeps();
    const api = createInventoryApi(deps);
    await put(api, 'main', 1);
    const reserve = createReservations(deps);
    await reserve([placed('main', 1)], invocationContext().context); // keeps stock 0 with its ETag
    await put(api, 'main', 5); // a restock the reserving instance does not see
    const next = placed('main', 2);
    await reserve([next], invocationContext().context);
    expect(orderEvents(deps).at(-1)).toMatchObject({ type: 'CupsReserved', orderId: next.orderId });
    expect(await cupsOf(deps, 'main')).toBe(3);
  });

  it('a store whose stock was never set refuses orders', async () => {
    const deps = testDeps();
    await createReservations(deps)([placed('nowhere', 1)], invocationContext().context);
    expect(orderEvents(deps).map((e) => e.type)).toEqual(['CupsOutOfStock']);
  });

  it('a redelivered batch changes nothing and re-announces the same outcomes', async () => {
    const deps = testDeps();
    await put(createInventoryApi(deps), 'main', 3);
    const batch = [placed('main', 2), placed('main', 2), placed('main', 1)];
    const reserve = createReservations(deps);
    await reserve(batch, invocationContext().context);
    const first = orderEvents(deps).map((e) => [e.id, e.type]);
    await reserve(batch, invocationContext().context);
    await reserve([batch[1]!], invocationContext().context);

    expect(orderEvents(deps).map((e) => [e.id, e.type])).toEqual([...first, ...first, first[1]]);
    expect(first.map(([, type]) => type)).toEqual(['CupsReserved', 'CupsOutOfStock', 'CupsReserved']);
    expect(await cupsOf(deps, 'main')).toBe(0);
  });

  it('a refusal stays a refusal after a restock, when the event comes again', async () => {
    const deps = testDeps();
    const api = createInventoryApi(deps);
    await put(api, 'main', 1);
    const order = placed('main', 2);
    const reserve = createReservations(deps);
    await reserve([order], invocationContext().context);
    await put(api, 'main', 50);
    await reserve([order], invocationContext().context);
    expect(orderEvents(deps).map((e) => e.type)).toEqual(['CupsOutOfStock', 'CupsOutOfStock']);
    expect(await cupsOf(deps, 'main')).toBe(50);
  });

  it('competing consumers and restocks never oversell', async () => {
    const deps = testDeps();
    const api = createInventoryApi(deps);
    await put(api, 'busy', 20);
    const orders = Array.from({ length: 60 }, (_, i) => placed('busy', 1 + (i % 3)));
    // Four instances race on the same store (as during a partition rebalance), some batches overlapping.
    const reserve = createReservations(deps);
    const slices = [orders.slice(0, 25), orders.slice(15, 40), orders.slice(35, 60), orders.slice(0, 60)];
    const restocks = Array.from({ length: 5 }, () =>
      api.restock(new HttpRequest({ method: 'POST', url: 'http://localhost/inventories/busy/restock', params: { storeId: 'busy' }, body: { string: '{"cups":2}' } })),
    );
    const results = await Promise.all([...slices.map((s) => reserve(s, invocationContext().context)), ...restocks]);
    expect(results.slice(0, 4).flat()).toEqual([]);

    const outcomes = new Map<string, string>();
    for (const e of deps.publisher.published.filter(isOrderEvent)) {
      const previous = outcomes.get(e.orderId);
      if (previous) expect(e.type).toBe(previous); // every copy of an outcome agrees
      outcomes.set(e.orderId, e.type);
    }
    expect(outcomes.size).toBe(60);
    const reservedCups = orders.filter((o) => outcomes.get(o.orderId) === 'CupsReserved').reduce((sum, o) => sum + o.cups, 0);
    const left = await cupsOf(deps, 'busy');
    expect(left).toBeGreaterThanOrEqual(0);
    expect(reservedCups + left).toBe(20 + 5 * 2);
  });

  it('when the publish fails after the decision, a retry publishes the recorded outcome', async () => {
    const deps = testDeps();
    await put(createInventoryApi(deps), 'main', 5);
    const order = placed('main', 4);
    const reserve = createReservations(deps);
    deps.publisher.failNext = 1;
    const failures = await reserve([order], invocationContext().context);
    expect(failures.map((f) => f.eventId)).toEqual([order.id]);
    expect(await cupsOf(deps, 'main')).toBe(1);

    expect(await reserve([order], invocationContext().context)).toEqual([]);
    expect(orderEvents(deps).map((e) => [e.type, e.orderId])).toEqual([['CupsReserved', order.orderId]]);
    expect(await cupsOf(deps, 'main')).toBe(1);
  });
});

function send(api: ReturnType<typeof createInventoryApi>, route: 'set' | 'restock', storeId: string, cups: number, headers: Record<string, string> = {}) {
  const request = new HttpRequest({
    method: route === 'set' ? 'PUT' : 'POST',
    url: `http://localhost/inventories/${storeId}${route === 'set' ? '' : '/restock'}`,
    params: { storeId },
    body: { string: JSON.stringify({ cups }) },
    headers: { 'content-type': 'application/json', ...headers },
  });
  return withProblems(route === 'set' ? api.setStock : api.restock)(request, invocationContext().context);
}

async function etagOf(api: ReturnType<typeof createInventoryApi>, storeId: string): Promise<string> {
  const response = await api.getStock(new HttpRequest({ method: 'GET', url: `http://localhost/inventories/${storeId}`, params: { storeId } }));
  return (response.headers as Record<string, string>).etag!;
}

describe('setting and restocking stock safely against Azurite', () => {
  it('PUT answers the ETag that GET shows, and a PUT with that If-Match sets the stock', async () => {
    const deps = testDeps();
    const api = createInventoryApi(deps);
    const first = await send(api, 'set', 'main', 10);
    const etag = (first.headers as Record<string, string>).etag!;
    expect(etag).toMatch(/^"[A-Za-z0-9_-]+"$/);
    expect(await etagOf(api, 'main')).toBe(etag);

    const second = await send(api, 'set', 'main', 12, { 'if-match': etag });
    expect(second.status).toBe(200);
    expect((second.headers as Record<string, string>).etag).not.toBe(etag);
    expect(await etagOf(api, 'main')).toBe((second.headers as Record<string, string>).etag);
    expect(await cupsOf(deps, 'main')).toBe(12);
  });

  it('a PUT whose If-Match predates a reservation is a 412 problem and leaves the stock as the reservation left it', async () => {
    const deps = testDeps();
    const api = createInventoryApi(deps);
    const read = (await send(api, 'set', 'main', 10)).headers as Record<string, string>;
    await createReservations(deps)([placed('main', 3)], invocationContext().context);

    const stale = await send(api, 'set', 'main', 10, { 'if-match': read.etag! });
    expect(stale.status).toBe(412);
    expect(stale.headers).toMatchObject({ 'content-type': 'application/problem+json; charset=utf-8' });
    expect(JSON.parse(String(stale.body))).toMatchObject({ status: 412, type: expect.stringContaining('precondition-failed') });
    expect(await cupsOf(deps, 'main')).toBe(7);
  });

  it('If-Match on a store never set, or with a weak tag, is a 412; If-Match: * sets an existing stock', async () => {
    const deps = testDeps();
    const api = createInventoryApi(deps);
    expect((await send(api, 'set', 'nowhere', 5, { 'if-match': '*' })).status).toBe(412);
    const etag = (await send(api, 'set', 'main', 4)).headers as Record<string, string>;
    expect((await send(api, 'set', 'main', 5, { 'if-match': `W/${etag.etag!}` })).status).toBe(412);
    expect(await cupsOf(deps, 'main')).toBe(4);
    expect((await send(api, 'set', 'main', 6, { 'if-match': '*' })).status).toBe(200);
    expect(await cupsOf(deps, 'main')).toBe(6);
  });

  it('a restock repeated with its Idempotency-Key adds once and answers the same result', async () => {
    const deps = testDeps();
    const api = createInventoryApi(deps);
    await send(api, 'set', 'main', 10);
    const key = { 'idempotency-key': 'delivery-2026-11-25' };
    const answers = await Promise.all([1, 2, 3, 4].map(() => send(api, 'restock', 'main', 5, key)));
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200]);
    expect(new Set(answers.map((a) => a.body)).size).toBe(1);
    expect(JSON.parse(String(answers[0]!.body))).toMatchObject({ storeId: 'main', cups: 15, added: 5 });
    expect(await cupsOf(deps, 'main')).toBe(15);
    // Another key is another delivery.
    await send(api, 'restock', 'main', 5, { 'idempotency-key': 'delivery-2026-11-26' });
    expect(await cupsOf(deps, 'main')).toBe(20);
  });

  it('a restock whose process dies before its key is stored adds nothing, so its retry adds once', async () => {
    const deps = testDeps();
    const api = createInventoryApi(deps);
    await send(api, 'set', 'main', 10);
    // Fault injection around the real client: the first write that carries the key never reaches storage.
    const real = deps.table;
    let armed = true;
    deps.table = async (name) => {
      const client = await real(name);
      return new Proxy(client, {
        get(target, prop) {
          if (prop !== 'submitTransaction') {
            const value = Reflect.get(target, prop, target) as unknown;
            return typeof value === 'function' ? value.bind(target) : value;
          }
          return async (actions: TransactionAction[]) => {
            if (armed && actions.some(([, entity]) => String(entity.rowKey).startsWith('restock-key_'))) {
              armed = false;
              throw new Error('the process died');
            }
            return target.submitTransaction(actions);
          };
        },
      });
    };
    const key = { 'idempotency-key': 'delivery-crash' };
    expect((await send(api, 'restock', 'main', 5, key)).status).toBe(500);
    expect(await cupsOf(deps, 'main')).toBe(10);
    expect(JSON.parse(String((await send(api, 'restock', 'main', 5, key)).body))).toMatchObject({ cups: 15, added: 5 });
    expect(await cupsOf(deps, 'main')).toBe(15);
  });

  it('a restock key reused with another body is a 422 problem and adds nothing', async () => {
    const deps = testDeps();
    const api = createInventoryApi(deps);
    const key = { 'idempotency-key': 'delivery-1' };
    await send(api, 'restock', 'main', 5, key);
    const reused = await send(api, 'restock', 'main', 50, key);
    expect(reused.status).toBe(422);
    expect(JSON.parse(String(reused.body))).toMatchObject({ status: 422, type: expect.stringContaining('idempotency-key-reused') });
    expect(await cupsOf(deps, 'main')).toBe(5);
  });

  it('an expired restock key adds again', async () => {
    let now = new Date(at);
    const deps = testDeps({ idempotencyTtlHours: 24 }, () => now);
    const api = createInventoryApi(deps);
    const key = { 'idempotency-key': 'weekly' };
    await send(api, 'restock', 'main', 5, key);
    now = new Date(now.getTime() + 23 * 3_600_000);
    await send(api, 'restock', 'main', 5, key);
    expect(await cupsOf(deps, 'main')).toBe(5);
    now = new Date(now.getTime() + 2 * 3_600_000);
    await send(api, 'restock', 'main', 5, key);
    expect(await cupsOf(deps, 'main')).toBe(10);
  });
});
