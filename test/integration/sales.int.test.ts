import { HttpRequest } from '@azure/functions';
import { describe, expect, it } from 'vitest';
import { createSalesApi } from '../../functions/sales/api';
import { createSalesProjection } from '../../functions/sales/projector';
import { createCleanup } from '../../functions/operations/cleanup';
import type { SalesEvent } from '../../functions/sales/sales';
import { makeEvent } from '../../shared/events';
import { newOrderId } from '../../shared/identifiers';
import { DEFAULT_STORE_SETTINGS, createStoreSettingsReader, toRow } from '../../shared/storeSettings';
import { listAll } from '../../shared/tables';
import { TABLES } from '../../shared/topology';
import { invocationContext } from '../support/context';
import { testDeps } from '../support/deps';

type Deps = ReturnType<typeof testDeps>;

/** 23:30 in Seoul on 25 November (14:30 UTC), then later times of the same local day. */
const EVENING = new Date('2026-11-25T14:30:00.000Z');
const later = (minutes: number) => new Date(EVENING.getTime() + minutes * 60_000);

async function seoulStore(deps: Deps, storeId = 'seoul') {
  await (await deps.table(TABLES.stores)).upsertEntity(toRow(storeId, { ...DEFAULT_STORE_SETTINGS, timeZone: 'Asia/Seoul' }, new Date()), 'Replace');
}

const items = [{ menuItemId: 'americano', quantity: 2 }, { menuItemId: 'iced-tea', quantity: 1 }];
function order(placedAt: Date, storeId = 'seoul') {
  const orderId = newOrderId(placedAt);
  const envelope = (minutes: number) => ({ orderId, storeId, occurredAt: new Date(placedAt.getTime() + minutes * 60_000).toISOString() });
  return {
    orderId,
    placed: makeEvent('OrderPlaced', { ...envelope(0), customerId: 'c-1', items, cups: 3 }),
    completed: makeEvent('OrderCompleted', { ...envelope(4), customerId: 'c-1' }),
    cancelled: (reason: string) => makeEvent('OrderCancelled', { ...envelope(1), customerId: 'c-1', reason }),
  };
}

async function report(deps: Deps, date: string, storeId = 'seoul') {
  const api = createSalesApi(deps, createStoreSettingsReader(() => deps.table(TABLES.stores), { maxAgeMs: 0 }));
  const response = await api.getSales(new HttpRequest({ method: 'GET', url: `http://localhost/api/stores/${storeId}/sales?date=${date}`, params: { storeId } }));
  expect(response.status).toBe(200);
  return JSON.parse(String(response.body)) as Record<string, unknown>;
}

const project = (projection: ReturnType<typeof createSalesProjection>, events: SalesEvent[]) => projection(events, invocationContext().context);

describe('the sales read model against Azurite', () => {
  it('counts each order once however often its events are delivered, on the store local date', async () => {
    const deps = testDeps();
    await seoulStore(deps);
    const a = order(EVENING);
    const b = order(later(10));
    const projection = createSalesProjection(deps);
    expect(await project(projection, [a.placed, a.placed, b.placed])).toEqual([]);
    expect(await project(projection, [a.completed, a.placed, b.placed])).toEqual([]);
    // A second instance (no cache) gets the same events again: redelivery after a crash.
    expect(await project(createSalesProjection(deps), [a.placed, a.completed, b.placed, a.completed])).toEqual([]);

    // 14:30 UTC is 23:30 in Seoul: the sales day is the 25th there, and nothing is on the 26th or in UTC terms elsewhere.
    expect(await report(deps, '2026-11-25')).toMatchObject({
      storeId: 'seoul',
      timeZone: 'Asia/Seoul',
      placed: 2,
      completed: 1,
      cancelled: { total: 0, byReason: {} },
      drinks: { americano: 2, 'iced-tea': 1, 'cafe-latte': 0 },
      revenue: 13_000,
      currency: 'KRW',
    });
    expect(await report(deps, '2026-11-26')).toMatchObject({ placed: 0, completed: 0, revenue: 0 });
  });

  it('does not trust a tally it cached once another instance has written the day since', async () => {
    const deps = testDeps();
    await seoulStore(deps, 'relay');
    const a = order(EVENING, 'relay');
    const b = order(later(1), 'relay');
    const first = createSalesProjection(deps);
    // The first instance counts a's placing and keeps its tally; a second instance counts a's completion.
    expect(await project(first, [a.placed])).toEqual([]);
    expect(await project(createSalesProjection(deps), [a.completed])).toEqual([]);
    // The first instance loses its next write to the day, reads the figures again and counts b...
    expect(await project(first, [b.placed])).toEqual([]);
    // ...then gets a's completion again (a redelivery): its cached tally of a predates the other's write.
    expect(await project(first, [a.completed])).toEqual([]);
    expect(await report(deps, '2026-11-25', 'relay')).toMatchObject({ placed: 2, completed: 1, revenue: 13_000 });
  });

  it('puts an order placed after local midnight on the next day', async () => {
    const deps = testDeps();
    await seoulStore(deps);
    const projection = createSalesProjection(deps);
    const beforeMidnight = order(later(29));
    const afterMidnight = order(later(31));
    expect(await project(projection, [beforeMidnight.placed, afterMidnight.placed])).toEqual([]);
    expect(await report(deps, '2026-11-25')).toMatchObject({ placed: 1 });
    expect(await report(deps, '2026-11-26')).toMatchObject({ placed: 1 });
  });

  it('counts a completion that arrives before its placement once, with its drinks', async () => {
    const deps = testDeps();
    await seoulStore(deps);
    const a = order(EVENING);
    const projection = createSalesProjection(deps);
    expect(await project(projection, [a.completed])).toEqual([]);
    expect(await report(deps, '2026-11-25')).toMatchObject({ placed: 0, completed: 1, revenue: 0 });
    expect(await project(createSalesProjection(deps), [a.placed, a.completed])).toEqual([]);
    expect(await project(projection, [a.completed, a.placed])).toEqual([]);
    expect(await report(deps, '2026-11-25')).toMatchObject({ placed: 1, completed: 1, drinks: { americano: 2, 'iced-tea': 1 }, revenue: 13_000 });
  });

  it('keeps an order on the day it was first located, even if the store time zone changes later', async () => {
    const deps = testDeps();
    await seoulStore(deps);
    const settings = createStoreSettingsReader(() => deps.table(TABLES.stores), { maxAgeMs: 0 });
    const a = order(EVENING);
    expect(await project(createSalesProjection(deps, settings), [a.placed])).toEqual([]);
    // The store moves to Kiritimati (UTC+14), where the order's placing time is 04:30 on the 26th...
    await (await deps.table(TABLES.stores)).upsertEntity(toRow('seoul', { ...DEFAULT_STORE_SETTINGS, timeZone: 'Pacific/Kiritimati' }, new Date()), 'Replace');
    // ...yet its completion goes to the 25th, where its placing was counted.
    expect(await project(createSalesProjection(deps, settings), [a.completed])).toEqual([]);
    expect(await report(deps, '2026-11-25')).toMatchObject({ placed: 1, completed: 1, revenue: 13_000 });
    expect(await report(deps, '2026-11-26')).toMatchObject({ placed: 0, completed: 0 });
  });

  it('counts cancellations by reason', async () => {
    const deps = testDeps();
    await seoulStore(deps);
    const orders = [order(EVENING), order(later(1)), order(later(2)), order(later(3))];
    const projection = createSalesProjection(deps);
    await project(projection, orders.map((o) => o.placed));
    expect(
      await project(projection, [orders[0]!.cancelled('out-of-cups'), orders[1]!.cancelled('out-of-cups'), orders[2]!.cancelled('customer-cancelled'), orders[3]!.completed, orders[0]!.cancelled('out-of-cups')]),
    ).toEqual([]);
    expect(await report(deps, '2026-11-25')).toMatchObject({
      placed: 4,
      completed: 1,
      cancelled: { total: 3, byReason: { 'out-of-cups': 2, 'customer-cancelled': 1 } },
      revenue: 13_000,
    });
  });

  it('counts overlapping, duplicated batches from two instances once', async () => {
    const deps = testDeps();
    await seoulStore(deps);
    const orders = Array.from({ length: 30 }, (_, i) => order(later(i)));
    const one = createSalesProjection(deps);
    const two = createSalesProjection(deps);
    const events = orders.flatMap((o) => [o.placed, o.completed]);
    const results = await Promise.all([project(one, events.slice(0, 40)), project(two, events.slice(20)), project(one, events.slice(10, 50)), project(two, events)]);
    expect(results.flat()).toEqual([]);
    expect(await report(deps, '2026-11-25')).toMatchObject({ placed: 30, completed: 30, drinks: { americano: 60, 'iced-tea': 30 }, revenue: 30 * 13_000 });
  });

  it('loses no count when two instances write the same day at the same moment (the figures ETag)', async () => {
    const deps = testDeps();
    await seoulStore(deps);
    const orders = Array.from({ length: 40 }, (_, i) => order(later(i % 20)));
    // Each round, two instances without caches read the day as it stands and count different orders into it.
    for (let round = 0; round < 10; round++) {
      const [a, b] = [orders[round * 4]!, orders[round * 4 + 1]!];
      const [c, d] = [orders[round * 4 + 2]!, orders[round * 4 + 3]!];
      const results = await Promise.all([project(createSalesProjection(deps), [a.placed, b.placed]), project(createSalesProjection(deps), [c.placed, d.placed])]);
      expect(results.flat()).toEqual([]);
    }
    expect(await report(deps, '2026-11-25')).toMatchObject({ placed: 40 });
  });

  it('keeps no customer id in its table', async () => {
    const deps = testDeps();
    await seoulStore(deps);
    const a = order(EVENING);
    await project(createSalesProjection(deps), [a.placed, a.completed]);
    const rows = await listAll(await deps.table(TABLES.sales), '');
    expect(rows.length).toBeGreaterThan(0);
    expect(JSON.stringify(rows)).not.toContain('c-1');
  });

  it('refuses a missing or impossible date with a problem', async () => {
    const deps = testDeps();
    const api = createSalesApi(deps);
    for (const query of ['', '?date=2026-02-30', '?date=25.11.2026', '?date=2026-11-25&extra=1']) {
      const error = await api.getSales(new HttpRequest({ method: 'GET', url: `http://localhost/api/stores/main/sales${query}`, params: { storeId: 'main' } })).catch((e: unknown) => e);
      expect(error, query).toMatchObject({ problem: { status: 400 } });
    }
  });

  it('after retention keeps the day figures, deletes the per-order detail and ignores a very late redelivery', async () => {
    const now = new Date('2026-11-25T10:00:00.000Z');
    const deps = testDeps({ retentionDays: 30 }, () => now);
    await seoulStore(deps);
    const old = order(new Date(now.getTime() - 40 * 86_400_000));
    const recent = order(new Date(now.getTime() - 20 * 86_400_000));
    const projection = createSalesProjection(deps);
    expect(await project(projection, [old.placed, old.completed, recent.placed])).toEqual([]);

    await createCleanup(deps)({}, invocationContext().context);

    const rows = await listAll(await deps.table(TABLES.sales), '');
    const keys = rows.map((r) => `${r.partitionKey}/${r.rowKey}`);
    expect(keys).toContain('2026-10-16_seoul/day');
    expect(keys).not.toContain(`2026-10-16_seoul/o_${old.orderId}`);
    expect(keys).toContain(`2026-11-05_seoul/o_${recent.orderId}`);
    expect(keys.filter((k) => k.includes(old.orderId))).toEqual([]);
    // A replay of the old order's events long after: the closed day does not count them again.
    expect(await project(createSalesProjection(deps), [old.placed, old.completed])).toEqual([]);
    expect(await report(deps, '2026-10-16')).toMatchObject({ placed: 1, completed: 1, revenue: 13_000 });
    expect(await report(deps, '2026-11-05')).toMatchObject({ placed: 1 });
  });
});
