import type { TableClient } from '@azure/data-tables';
import { HttpRequest } from '@azure/functions';
import { describe, expect, it } from 'vitest';
import { createKioskApi } from '../../functions/kiosk/api';
import { createKioskProjection } from '../../functions/kiosk/projector';
import type { KioskEvent } from '../../functions/kiosk/projection';
import { makeEvent } from '../../shared/events';
import { newOrderId, pickupCode } from '../../shared/identifiers';
import { TABLES } from '../../shared/topology';
import { invocationContext } from '../support/context';
import { testDeps } from '../support/deps';

type Deps = ReturnType<typeof testDeps>;

const T0 = new Date('2026-11-25T10:00:00.000Z');
const iso = (seconds: number) => new Date(T0.getTime() + seconds * 1000).toISOString();
const items = [{ menuItemId: 'americano', quantity: 1 }];

/** An order of `storeId` placed `s` seconds after T0, with its events a second apart. */
function order(s: number, storeId = 'main') {
  const orderId = newOrderId(new Date(T0.getTime() + s * 1000));
  const envelope = (d: number) => ({ orderId, storeId, occurredAt: iso(s + d) });
  return {
    orderId,
    placed: makeEvent('OrderPlaced', { ...envelope(0), customerId: 'c-1', items, cups: 1 }),
    reserved: makeEvent('CupsReserved', { ...envelope(1), customerId: 'c-1', items, cups: 1 }),
    brewing: makeEvent('BrewingStarted', { ...envelope(2), readyAt: iso(s + 5) }),
    completed: makeEvent('OrderCompleted', { ...envelope(5), customerId: 'c-1' }),
    cancelled: makeEvent('OrderCancelled', { ...envelope(3), customerId: 'c-1', reason: 'out-of-cups' }),
  };
}

const project = (projection: ReturnType<typeof createKioskProjection>, events: KioskEvent[]) => projection(events, invocationContext().context);

async function board(deps: Deps, storeId = 'main', limit = 100) {
  const response = await createKioskApi(deps).listKioskOrders(new HttpRequest({ method: 'GET', url: `http://localhost/kiosk/orders?storeId=${storeId}&limit=${limit}` }));
  expect(response.status).toBe(200);
  return JSON.parse(String(response.body)) as { code: string; status: string; updatedAt: string; readyAt?: string }[];
}

/** Wraps the kiosk table's client (the real one, on Azurite) to count its calls or fail chosen ones. */
function watchKiosk(deps: Deps, intercept: (method: string, args: unknown[]) => void) {
  const real = deps.table.bind(deps);
  deps.table = async (name) => {
    const client = await real(name);
    if (name !== TABLES.kiosk) return client;
    return new Proxy(client, {
      get(target, prop) {
        const value = Reflect.get(target, prop, target) as unknown;
        if (typeof value !== 'function') return value;
        return (...args: unknown[]) => {
          intercept(String(prop), args);
          return (value as (...a: unknown[]) => unknown).apply(target, args);
        };
      },
    }) as TableClient;
  };
}

describe('the pickup board against Azurite', () => {
  it('answers a board request with one point read of the store board, whatever the history', async () => {
    const deps = testDeps({}, () => new Date(T0.getTime() + 600_000));
    const projection = createKioskProjection(deps);
    // History: 150 older finished orders (well out of the board's window), then 3 recent ones.
    const old = Array.from({ length: 150 }, (_, i) => order(-86_400 + i));
    expect(await project(projection, old.flatMap((o) => [o.placed, o.completed]))).toEqual([]);
    const recent = [order(0), order(10), order(20)];
    expect(await project(projection, [...recent.map((o) => o.placed), recent[0]!.completed, recent[1]!.brewing])).toEqual([]);
    expect(await project(projection, [order(0, 'elsewhere').placed])).toEqual([]);

    const calls: string[] = [];
    watchKiosk(deps, (method) => calls.push(method));
    expect(await board(deps)).toEqual([
      { code: pickupCode(recent[2]!.orderId), status: 'pending', updatedAt: iso(20) },
      { code: pickupCode(recent[1]!.orderId), status: 'brewing', updatedAt: iso(12), readyAt: iso(15) },
      { code: pickupCode(recent[0]!.orderId), status: 'completed', updatedAt: iso(5) },
    ]);
    expect(calls).toEqual(['getEntity']);
    expect(await board(deps, 'nowhere')).toEqual([]);
  });

  it("lists a store's newest orders for its staff with one point read: drinks, times and cancel reasons, never a customer id", async () => {
    const deps = testDeps({}, () => new Date(T0.getTime() + 600_000));
    const projection = createKioskProjection(deps);
    // A day-old order (out of the pickup board's window, still on the staff list) and two recent ones.
    const [old, done, refused] = [order(-86_400, 'staffed'), order(0, 'staffed'), order(10, 'staffed')];
    const latte = makeEvent('OrderPlaced', { ...refused.placed, id: `${refused.placed.id}-latte`, items: [{ menuItemId: 'cafe-latte', quantity: 2 }], cups: 2 });
    expect(await project(projection, [old.placed, old.completed, done.placed, done.reserved, done.brewing, done.completed, latte, refused.cancelled])).toEqual([]);

    const calls: string[] = [];
    watchKiosk(deps, (method) => calls.push(method));
    const list = async (query = '') => {
      const response = await createKioskApi(deps).listStoreOrders(new HttpRequest({ method: 'GET', url: `http://localhost/stores/staffed/orders${query}`, params: { storeId: 'staffed' } }));
      expect(response.status).toBe(200);
      return JSON.parse(String(response.body)) as unknown[];
    };
    const listed = await list();
    expect(listed).toEqual([
      { id: refused.orderId, storeId: 'staffed', status: 'cancelled', reason: 'out-of-cups', items: [{ menuItemId: 'cafe-latte', quantity: 2 }], createdAt: iso(10), updatedAt: iso(13) },
      { id: done.orderId, storeId: 'staffed', status: 'completed', items, readyAt: iso(5), createdAt: iso(0), updatedAt: iso(5) },
      { id: old.orderId, storeId: 'staffed', status: 'completed', items, createdAt: iso(-86_400), updatedAt: iso(-86_395) },
    ]);
    expect(calls).toEqual(['getEntity']);
    expect(JSON.stringify(listed)).not.toContain('c-1');
    expect(await list('?limit=1')).toHaveLength(1);
    // Bad input is a problem, not a guess.
    const bad = await createKioskApi(deps).listStoreOrders(new HttpRequest({ method: 'GET', url: 'http://localhost/stores/staffed/orders?limit=101', params: { storeId: 'staffed' } })).catch((e: unknown) => e);
    expect(bad).toMatchObject({ problem: { status: 400 } });
  });

  it('ends with every order at its final status when two instances fold the same and different events of a store at once', async () => {
    const deps = testDeps({}, () => new Date(T0.getTime() + 600_000));
    const orders = Array.from({ length: 40 }, (_, i) => order(i * 3));
    const lifecycle = (o: ReturnType<typeof order>, i: number): KioskEvent[] => (i % 4 === 3 ? [o.placed, o.reserved, o.cancelled] : [o.placed, o.reserved, o.brewing, o.completed]);
    const events = orders.flatMap(lifecycle);
    const one = createKioskProjection(deps);
    const two = createKioskProjection(deps);
    // Overlapping batches, some redelivered to the other instance, all at once.
    const results = await Promise.all([
      project(one, events.slice(0, 80)),
      project(two, events.slice(40, 120)),
      project(one, events.slice(60)),
      project(two, events),
      project(createKioskProjection(deps), events.slice(100)),
    ]);
    expect(results.flat()).toEqual([]);
    // Rounds where two instances without caches each fold a different order's last event into the same board.
    const late = Array.from({ length: 10 }, (_, i) => [order(200 + i * 2), order(201 + i * 2)] as const);
    for (const [a, b] of late) {
      expect((await Promise.all([project(createKioskProjection(deps), [a.placed, a.completed]), project(createKioskProjection(deps), [b.placed, b.cancelled])])).flat()).toEqual([]);
    }

    const shown = await board(deps);
    const expected = [
      ...late.flatMap(([a, b]) => [{ code: pickupCode(a.orderId), status: 'completed' }, { code: pickupCode(b.orderId), status: 'cancelled' }]),
      ...orders.map((o, i) => ({ code: pickupCode(o.orderId), status: i % 4 === 3 ? 'cancelled' : 'completed' })),
    ];
    // Pickup codes are four characters of a random id and can repeat: sort by status too, so ties are in one order.
    const byCodeThenStatus = (x: { code: string; status: string }, y: { code: string; status: string }) => x.code.localeCompare(y.code) || x.status.localeCompare(y.status);
    expect(shown.map(({ code, status }) => ({ code, status })).sort(byCodeThenStatus)).toEqual(expected.sort(byCodeThenStatus));
  });

  it('brings the board up to date when a batch is redelivered after its board write failed, though its views say "no change"', async () => {
    const deps = testDeps({}, () => new Date(T0.getTime() + 600_000));
    const projection = createKioskProjection(deps);
    const [a, b] = [order(0), order(10)];
    expect(await project(projection, [a.placed, b.placed])).toEqual([]);

    // The board write of the next batch fails (its views are written); then the batch comes again.
    let armed = true;
    watchKiosk(deps, (method, args) => {
      const entity = args[0] as { partitionKey?: string } | undefined;
      if (armed && (method === 'updateEntity' || method === 'createEntity') && entity?.partitionKey?.startsWith('~board_')) {
        armed = false;
        throw new Error('storage unavailable');
      }
    });
    const batch = [a.reserved, a.brewing, a.completed, b.reserved, b.cancelled];
    const failures = await project(projection, batch);
    expect(failures.map((f) => f.eventId).sort()).toEqual(batch.map((e) => e.id).sort());
    expect((await board(deps)).map((t) => t.status)).toEqual(['pending', 'pending']);
    const view = JSON.parse(String((await createKioskApi(deps).getKioskOrder(new HttpRequest({ method: 'GET', url: `http://localhost/kiosk/orders/${a.orderId}`, params: { id: a.orderId } }))).body));
    expect(view).toMatchObject({ status: 'completed' });

    expect(await project(projection, batch)).toEqual([]);
    expect(await board(deps)).toEqual([
      { code: pickupCode(b.orderId), status: 'cancelled', updatedAt: iso(13) },
      { code: pickupCode(a.orderId), status: 'completed', updatedAt: iso(5), readyAt: iso(5) },
    ]);
  });
});
