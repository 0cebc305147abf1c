import { describe, expect, it } from 'vitest';
import { createBrewer } from '../../functions/beverages/brewer';
import { createKioskProjection } from '../../functions/kiosk/projector';
import { createKioskApi } from '../../functions/kiosk/api';
import { createNotifier } from '../../functions/notifications/notifier';
import { HttpRequest } from '@azure/functions';
import { makeEvent } from '../../shared/events';
import { newOrderId, pickupCode } from '../../shared/identifiers';
import { listAll } from '../../shared/tables';
import { TABLES } from '../../shared/topology';
import { invocationContext } from '../support/context';
import { testDeps } from '../support/deps';

function clock(start: string) {
  let now = new Date(start);
  return { now: () => now, advance: (seconds: number) => (now = new Date(now.getTime() + seconds * 1000)) };
}

const items = [{ menuItemId: 'iced-tea', quantity: 1 }];
const reserved = (orderId: string, at: string) => makeEvent('CupsReserved', { orderId, storeId: 'main', occurredAt: at, customerId: 'c-2', items, cups: 1 });

describe('brewing against Azurite', () => {
  it('brews once per order, however often the reservation arrives, and completes when ready', async () => {
    const time = clock('2026-11-25T10:00:00.000Z');
    const deps = testDeps({ brewSeconds: 3 }, time.now);
    const brewer = createBrewer(deps);
    const event = reserved('b1', time.now().toISOString());
    expect(await brewer.brew([event, event], invocationContext().context)).toEqual([]);
    expect(await brewer.brew([event], invocationContext().context)).toEqual([]);
    expect(new Set(deps.publisher.ofType('BrewingStarted').map((e) => e.readyAt))).toEqual(new Set(['2026-11-25T10:00:03.000Z']));

    await brewer.completeReady({}, invocationContext().context);
    expect(deps.publisher.ofType('BeverageCompleted')).toEqual([]);
    time.advance(3);
    await brewer.completeReady({}, invocationContext().context);
    await brewer.completeReady({}, invocationContext().context);
    expect(deps.publisher.ofType('BeverageCompleted').map((e) => e.orderId)).toEqual(['b1']);

    // A late duplicate of the reservation re-announces completion rather than brewing again.
    await brewer.brew([event], invocationContext().context);
    expect(deps.publisher.published.at(-1)).toMatchObject({ type: 'BeverageCompleted', orderId: 'b1' });
    // One job row, and no due entry left once its completion was announced.
    const rows = await listAll(await deps.table(TABLES.beverages), '');
    expect(rows.map((j) => [j.partitionKey, j.rowKey])).toEqual([['b1', 'job']]);
    const { createBeveragesApi } = await import('../../functions/beverages/api');
    const listed = await createBeveragesApi(deps).listBeverages(new HttpRequest({ method: 'GET', url: 'http://localhost/beverages?orderId=b1' }));
    expect(JSON.parse(String(listed.body))).toEqual([expect.objectContaining({ orderId: 'b1', status: 'completed', completedAt: '2026-11-25T10:00:03.000Z' })]);
  });

  it('with a brewing time of 0 announces start and completion together, and leaves nothing to sweep', async () => {
    const deps = testDeps({ brewSeconds: 0 });
    const brewer = createBrewer(deps);
    expect(await brewer.brew([reserved('b0', deps.now().toISOString())], invocationContext().context)).toEqual([]);
    expect(deps.publisher.published.map((e) => e.type)).toEqual(['BrewingStarted', 'BeverageCompleted']);
    const rows = await listAll(await deps.table(TABLES.beverages), '');
    expect(rows.map((r) => r.partitionKey)).toEqual(['b0']);
  });

  it('a completion whose publish failed is published by the next sweep', async () => {
    const time = clock('2026-11-25T10:00:00.000Z');
    const deps = testDeps({ brewSeconds: 1 }, time.now);
    const brewer = createBrewer(deps);
    await brewer.brew([reserved('b2', time.now().toISOString())], invocationContext().context);
    time.advance(2);
    deps.publisher.failNext = 1;
    await expect(brewer.completeReady({}, invocationContext().context)).rejects.toThrow(/event hub unavailable/);
    await brewer.completeReady({}, invocationContext().context);
    expect(deps.publisher.ofType('BeverageCompleted').map((e) => e.orderId)).toEqual(['b2']);
  });
});

describe('notifying customers against Azurite', () => {
  it('writes exactly one notification per final status, whatever is redelivered', async () => {
    const deps = testDeps();
    const notify = createNotifier(deps);
    const base = { storeId: 'main', occurredAt: '2026-11-25T10:00:00.000Z', customerId: 'c-1' };
    const cancelled = makeEvent('OrderCancelled', { ...base, orderId: 'n1', reason: 'out-of-cups' });
    const completed = makeEvent('OrderCompleted', { ...base, orderId: 'n2' });
    for (let i = 0; i < 3; i++) expect(await notify([cancelled, completed, cancelled], invocationContext().context)).toEqual([]);
    // Each notification is kept twice (by customer and by order), and once in each place.
    const rows = await listAll<{ kind: string; orderId: string; partitionKey: string }>(await deps.table(TABLES.notifications), '');
    const customerRows = rows.filter((r) => !r.partitionKey.startsWith('~'));
    const orderRows = rows.filter((r) => r.partitionKey.startsWith('~'));
    expect(customerRows.map((r) => [r.orderId, r.kind]).sort()).toEqual([['n1', 'order-cancelled'], ['n2', 'order-completed']]);
    expect(orderRows.map((r) => [r.orderId, r.kind]).sort()).toEqual([['n1', 'order-cancelled'], ['n2', 'order-completed']]);
    const { createNotificationsApi } = await import('../../functions/notifications/api');
    const byOrder = await createNotificationsApi(deps).listNotifications(new HttpRequest({ method: 'GET', url: 'http://localhost/notifications?orderId=n2' }));
    expect(JSON.parse(String(byOrder.body))).toEqual([expect.objectContaining({ orderId: 'n2', kind: 'order-completed', customerId: 'c-1' })]);
  });
});

describe('notifying customers whose ids are not valid table keys', () => {
  it('notifies team/alice#1 and finds the notification by customer', async () => {
    const deps = testDeps();
    const event = makeEvent('OrderCompleted', { orderId: 'n3', storeId: 'main', occurredAt: '2026-11-25T10:00:00.000Z', customerId: 'team/alice#1?' });
    expect(await createNotifier(deps)([event], invocationContext().context)).toEqual([]);
    const { createNotificationsApi } = await import('../../functions/notifications/api');
    const response = await createNotificationsApi(deps).listNotifications(
      new HttpRequest({ method: 'GET', url: `http://localhost/notifications?customerId=${encodeURIComponent('team/alice#1?')}` }),
    );
    expect(JSON.parse(String(response.body))).toEqual([expect.objectContaining({ customerId: 'team/alice#1?', orderId: 'n3', kind: 'order-completed' })]);
  });
});

describe('the kiosk projection against Azurite', () => {
  it('an instance whose cached view went stale (the partition moved and back) still converges', async () => {
    const deps = testDeps();
    const instanceA = createKioskProjection(deps);
    const instanceB = createKioskProjection(deps);
    const at = (s: number) => `2026-11-25T10:00:0${s}.000Z`;
    await instanceA([makeEvent('OrderPlaced', { orderId: 'k9', storeId: 'main', occurredAt: at(0), customerId: 'c-2', items, cups: 1 })], invocationContext().context);
    await instanceB([reserved('k9', at(1))], invocationContext().context);
    await instanceB([makeEvent('BrewingStarted', { orderId: 'k9', storeId: 'main', occurredAt: at(2), readyAt: at(3) })], invocationContext().context);
    // A still remembers the view it wrote first; the redelivered reservation must not roll anything back.
    expect(await instanceA([reserved('k9', at(1))], invocationContext().context)).toEqual([]);
    expect(await instanceA([makeEvent('OrderCompleted', { orderId: 'k9', storeId: 'main', occurredAt: at(4), customerId: 'c-2' })], invocationContext().context)).toEqual([]);
    const view = JSON.parse(String((await createKioskApi(deps).getKioskOrder(new HttpRequest({ method: 'GET', url: 'http://localhost/kiosk/orders/k9', params: { id: 'k9' } }))).body));
    expect(view).toMatchObject({ status: 'completed', readyAt: at(3), items });
  });

  it('shows the latest status on the order view and the store board, unchanged by duplicates', async () => {
    const at = (s: number) => `2026-11-25T10:00:0${s}.000Z`;
    const deps = testDeps({}, () => new Date(at(9)));
    // Real order ids: the board lists a store's orders of the newest time buckets, newest first.
    const k1 = newOrderId(new Date(at(0)));
    const k2 = newOrderId(new Date(at(7)));
    const project = createKioskProjection(deps);
    const placed = makeEvent('OrderPlaced', { orderId: k1, storeId: 'main', occurredAt: at(0), customerId: 'c-2', items, cups: 1 });
    const completed = makeEvent('OrderCompleted', { orderId: k1, storeId: 'main', occurredAt: at(5), customerId: 'c-2' });
    const other = makeEvent('OrderPlaced', { orderId: k2, storeId: 'main', occurredAt: at(7), customerId: 'c-3', items, cups: 1 });
    expect(await project([placed, reserved(k1, at(1)), completed, reserved(k1, at(1)), placed, other], invocationContext().context)).toEqual([]);

    const api = createKioskApi(deps);
    const view = JSON.parse(String((await api.getKioskOrder(new HttpRequest({ method: 'GET', url: `http://localhost/kiosk/orders/${k1}`, params: { id: k1 } }))).body));
    expect(view).toMatchObject({ id: k1, status: 'completed', message: 'Ready to pick up', items, createdAt: at(0), updatedAt: at(5) });
    const board = JSON.parse(String((await api.listKioskOrders(new HttpRequest({ method: 'GET', url: 'http://localhost/kiosk/orders?storeId=main' }))).body));
    expect(board).toEqual([
      { code: pickupCode(k2), status: 'pending', updatedAt: at(7) },
      { code: pickupCode(k1), status: 'completed', updatedAt: at(5) },
    ]);
  });
});
