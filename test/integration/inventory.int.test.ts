import { describe, expect, it } from 'vitest';
import { createInventoryApi } from '../../functions/inventory/api';
import { createReservations } from '../../functions/inventory/reservations';
import { HttpRequest } from '@azure/functions';
import { makeEvent, type OrderPlaced } from '../../shared/events';
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

describe('reserving cups against Azurite', () => {
  it('given 10 cups, an order of 11 is refused and an order of 1 takes a cup', async () => {
    const deps = testDeps();
    await put(createInventoryApi(deps), 'main', 10);
    const big = placed('main', 11);
    const small = placed('main', 1);
    const failures = await createReservations(deps)([big, small], invocationContext().context);

    expect(failures).toEqual([]);
    expect(deps.publisher.published.map((e) => [e.type, e.orderId])).toEqual([
      ['CupsOutOfStock', big.orderId],
      ['CupsReserved', small.orderId],
    ]);
    expect(await cupsOf(deps, 'main')).toBe(9);
  });

  it('a store whose stock was never set refuses orders', async () => {
    const deps = testDeps();
    await createReservations(deps)([placed('nowhere', 1)], invocationContext().context);
    expect(deps.publisher.published.map((e) => e.type)).toEqual(['CupsOutOfStock']);
  });

  it('a redelivered batch changes nothing and re-announces the same outcomes', async () => {
    const deps = testDeps();
    await put(createInventoryApi(deps), 'main', 3);
    const batch = [placed('main', 2), placed('main', 2), placed('main', 1)];
    const reserve = createReservations(deps);
    await reserve(batch, invocationContext().context);
    const first = deps.publisher.published.map((e) => [e.id, e.type]);
    await reserve(batch, invocationContext().context);
    await reserve([batch[1]!], invocationContext().context);

    expect(deps.publisher.published.map((e) => [e.id, e.type])).toEqual([...first, ...first, first[1]]);
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
    expect(deps.publisher.published.map((e) => e.type)).toEqual(['CupsOutOfStock', 'CupsOutOfStock']);
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
    for (const e of deps.publisher.published) {
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
    expect(deps.publisher.published.map((e) => [e.type, e.orderId])).toEqual([['CupsReserved', order.orderId]]);
    expect(await cupsOf(deps, 'main')).toBe(1);
  });
});
