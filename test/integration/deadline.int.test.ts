import { HttpRequest, InvocationContext } from '@azure/functions';
import { describe, expect, it } from 'vitest';
import { createBrewer } from '../../functions/beverages/brewer';
import { createInventoryApi } from '../../functions/inventory/api';
import { createReservations } from '../../functions/inventory/reservations';
import { createNotifier } from '../../functions/notifications/notifier';
import { createOrdersApi } from '../../functions/orders/api';
import { createCancelApi } from '../../functions/orders/cancel';
import { createOrderProgress } from '../../functions/orders/progress';
import { OPEN_PARTITION, orderAt } from '../../functions/orders/rows';
import { createOrderSweep } from '../../functions/orders/sweep';
import { PermanentError, type EventFailure } from '../../shared/consumer';
import { makeEvent, type CafeEvent } from '../../shared/events';
import { withProblems } from '../../shared/http';
import { getOrUndefined, listAll } from '../../shared/tables';
import { TABLES } from '../../shared/topology';
import { invocationContext, type CapturedLog } from '../support/context';
import { testDeps } from '../support/deps';

function clock(start: string) {
  let now = new Date(start);
  return { now: () => now, advance: (seconds: number) => (now = new Date(now.getTime() + seconds * 1000)) };
}

type Group = 'orders' | 'inventory' | 'beverages' | 'notifications';

/**
 * The services wired to one in-memory hub: every published event is appended to one log (one store,
 * so one partition) and each consumer group reads it in order from its own position, as Event Hubs
 * delivers it. A test delivers to one group at a time to stage a race.
 */
function cafe(settings: { orderDeadlineSeconds: number; orderNudgeAfterSeconds?: number; brewSeconds?: number }) {
  const time = clock('2026-11-25T10:00:00.000Z');
  const deps = testDeps({ brewSeconds: 2, orderNudgeAfterSeconds: 5, ...settings }, time.now);
  const logs: CapturedLog[] = [];
  // One log for every invocation, so a test can count lines across sweeps.
  const context = () =>
    new InvocationContext({ invocationId: 'test', functionName: 'test', logHandler: (level, ...args) => logs.push({ level, message: args.map(String).join(' ') }) });
  const brewer = createBrewer(deps);
  const handlers: Record<Group, { accepts: string[]; handle: (events: never[], ctx: InvocationContext) => Promise<EventFailure[]> }> = {
    orders: { accepts: ['OrderPlaced', 'CupsReserved', 'CupsOutOfStock', 'BrewingStarted', 'BeverageCompleted', 'BrewingCancelled'], handle: createOrderProgress(deps) },
    inventory: { accepts: ['OrderPlaced', 'OrderCancelled'], handle: createReservations(deps) },
    beverages: { accepts: ['CupsReserved', 'CancelRequested'], handle: brewer.brew },
    notifications: { accepts: ['OrderCancelled', 'OrderCompleted'], handle: createNotifier(deps) },
  };
  const position: Record<Group, number> = { orders: 0, inventory: 0, beverages: 0, notifications: 0 };

  /** Delivers a group's pending events, one event per batch; `skip` drops events as a lost delivery would. */
  async function deliver(group: Group, skip: (e: CafeEvent) => boolean = () => false): Promise<void> {
    while (position[group] < deps.publisher.published.length) {
      const event = deps.publisher.published[position[group]++]!;
      if (!handlers[group].accepts.includes(event.type) || skip(event)) continue;
      expect(await handlers[group].handle([event] as never[], context()), `${group} on ${event.type}`).toEqual([]);
    }
  }
  /** Every group catches up until nothing new is published. */
  async function settle(): Promise<void> {
    for (let seen = -1; seen !== deps.publisher.published.length; ) {
      seen = deps.publisher.published.length;
      for (const group of Object.keys(handlers) as Group[]) await deliver(group);
    }
  }

  const inventoryApi = createInventoryApi(deps);
  return {
    deps,
    time,
    logs,
    deliver,
    settle,
    sweep: () => createOrderSweep(deps)({}, context()),
    completeBrewing: () => brewer.completeReady({}, context()),
    async stock(storeId: string, cups: number) {
      await inventoryApi.setStock(new HttpRequest({ method: 'PUT', url: `http://localhost/inventories/${storeId}`, params: { storeId }, body: { string: JSON.stringify({ cups }) }, headers: { 'content-type': 'application/json' } }));
    },
    async cupsLeft(storeId: string): Promise<number> {
      return (await (await deps.table(TABLES.inventory)).getEntity<{ cups: number }>(storeId, 'stock')).cups;
    },
    async place(cups: number): Promise<string> {
      const body = { storeId: 'main', customerId: 'c-1', items: [{ menuItemId: 'americano', quantity: cups }] };
      const request = new HttpRequest({ method: 'POST', url: 'http://localhost/orders', body: { string: JSON.stringify(body) }, headers: { 'content-type': 'application/json' } });
      return (JSON.parse(String((await createOrdersApi(deps).placeOrder(request, context())).body)) as { id: string }).id;
    },
    async cancel(id: string) {
      const request = new HttpRequest({ method: 'POST', url: `http://localhost/orders/${id}/cancel`, params: { id } });
      const response = await withProblems(createCancelApi(deps).cancelOrder)(request, context());
      return { status: response.status, body: JSON.parse(String(response.body)) as Record<string, unknown> };
    },
    async order(id: string) {
      return getOrUndefined<{ status: string; reason?: string; cancelTooLate?: boolean }>(await deps.table(TABLES.orders), orderAt(id).partitionKey, id);
    },
    async notifications(id: string) {
      // The customer's copies (the by-order copies live in partitions starting with '~').
      return (await listAll<{ orderId: string; kind: string; message: string }>(await deps.table(TABLES.notifications), `PartitionKey lt '~'`)).filter((n) => n.orderId === id);
    },
    async beverages() {
      return listAll<{ status: string }>(await deps.table(TABLES.beverages), `RowKey eq 'job'`);
    },
  };
}

describe('self-healing from the event log', () => {
  it('an OrderPlaced for an order the orders table does not have recreates it, and the sweep still holds it to its deadline', async () => {
    const c = cafe({ orderDeadlineSeconds: 900 });
    const placed = makeEvent('OrderPlaced', { orderId: 'lost-order', storeId: 'main', occurredAt: c.time.now().toISOString(), customerId: 'c-7', items: [{ menuItemId: 'latte', quantity: 2 }], cups: 2 });
    const { context, logs } = invocationContext();
    expect(await createOrderProgress(c.deps)([placed], context)).toEqual([]);
    expect(await c.order('lost-order')).toMatchObject({ status: 'pending', customerId: 'c-7', cups: 2, createdAt: placed.occurredAt });
    expect(logs.filter((l) => l.level === 'warning').map((l) => l.message)).toEqual([expect.stringMatching(/^order recreated from OrderPlaced orderId=lost-order/)]);

    // Its events are in the hub, so it is not nudged; but it is tracked: at its deadline its cancel is asked.
    c.time.advance(60);
    await c.sweep();
    expect(c.deps.publisher.ofType('OrderPlaced')).toEqual([]);
    c.time.advance(900);
    await c.sweep();
    expect(c.deps.publisher.ofType('CancelRequested').map((e) => e.orderId)).toEqual(['lost-order']);
  });

  it('a reservation for a lost order recreates it accepted; a brewing event alone cannot, and stays a transient failure', async () => {
    const c = cafe({ orderDeadlineSeconds: 900 });
    const at = c.time.now().toISOString();
    const track = createOrderProgress(c.deps);
    const brewing = makeEvent('BrewingStarted', { orderId: 'ghost', storeId: 'main', occurredAt: at, readyAt: at });
    const failures = await track([brewing], invocationContext().context);
    expect(failures.map((f) => f.eventId)).toEqual(['ghost.BrewingStarted']);
    expect(failures[0]?.error).not.toBeInstanceOf(PermanentError);
    expect(await c.order('ghost')).toBeUndefined();

    const reserved = makeEvent('CupsReserved', { orderId: 'ghost', storeId: 'main', occurredAt: at, customerId: 'c-8', items: [{ menuItemId: 'latte', quantity: 1 }], cups: 1 });
    expect(await track([reserved, brewing], invocationContext().context)).toEqual([]);
    expect(await c.order('ghost')).toMatchObject({ status: 'brewing', customerId: 'c-8' });
    expect(await getOrUndefined(await c.deps.table(TABLES.orders), OPEN_PARTITION, 'ghost')).toBeDefined();
  });
});

describe('the order deadline', () => {
  it('cancels a pending order that inventory never decided, and inventory deciding late holds no cups', async () => {
    const c = cafe({ orderDeadlineSeconds: 60 });
    await c.stock('main', 5);
    const id = await c.place(2);
    // Inventory is down: nothing moves until the deadline.
    c.time.advance(61);
    await c.sweep();
    expect(c.deps.publisher.ofType('CancelRequested').map((e) => [e.orderId, e.reason])).toEqual([[id, 'timed-out']]);
    await c.deliver('beverages');
    await c.deliver('orders');
    expect(await c.order(id)).toMatchObject({ status: 'cancelled', reason: 'timed-out' });

    // Inventory comes back and reads its backlog in order: it reserves for the OrderPlaced, then gives the
    // cups back for the OrderCancelled; the reservation it announced meanwhile brews nothing.
    await c.settle();
    await c.sweep();
    await c.settle();
    expect(await c.cupsLeft('main')).toBe(5);
    expect(await c.order(id)).toMatchObject({ status: 'cancelled', reason: 'timed-out' });
    expect((await c.beverages()).map((j) => j.status)).toEqual(['cancelled']);
    expect((await c.notifications(id)).map((n) => [n.kind, n.message])).toEqual([['order-cancelled', expect.stringContaining('could not start it in time')]]);
    expect(c.logs.some((l) => l.level === 'warning' && /ignored transition orderId=\S+ event=CupsReserved from=cancelled to=accepted/.test(l.message))).toBe(true);

    // Cups go back once, however often the cancellation is delivered again.
    await createReservations(c.deps)(c.deps.publisher.ofType('OrderCancelled'), invocationContext().context);
    expect(await c.cupsLeft('main')).toBe(5);
  });

  it('cancels an accepted order whose brewing never started and releases its cups exactly once', async () => {
    const c = cafe({ orderDeadlineSeconds: 60 });
    await c.stock('main', 5);
    const id = await c.place(2);
    await c.deliver('inventory');
    await c.deliver('orders');
    // The brewer never got the reservation (it was dead-lettered, say).
    await c.deliver('beverages', (e) => e.type === 'CupsReserved');
    expect(await c.order(id)).toMatchObject({ status: 'accepted' });
    expect(await c.cupsLeft('main')).toBe(3);

    c.time.advance(61);
    await c.sweep();
    await c.settle();
    expect(await c.order(id)).toMatchObject({ status: 'cancelled', reason: 'timed-out' });
    expect(await c.cupsLeft('main')).toBe(5);
    expect((await c.notifications(id)).map((n) => n.kind)).toEqual(['order-cancelled']);

    // An operator replays the dead-lettered reservation: the brewer finds the cancel and brews nothing.
    await c.deps.publisher.publish(c.deps.publisher.ofType('CupsReserved'));
    await c.deps.publisher.publish(c.deps.publisher.ofType('OrderCancelled'));
    await c.settle();
    expect((await c.beverages()).map((j) => j.status)).toEqual(['cancelled']);
    expect(await c.cupsLeft('main')).toBe(5);
    expect((await c.notifications(id)).map((n) => n.kind)).toEqual(['order-cancelled']);
  });

  it('an OrderPlaced delivered after the cancel reserves nothing', async () => {
    const c = cafe({ orderDeadlineSeconds: 60 });
    await c.stock('main', 5);
    const id = await c.place(3);
    const placed = c.deps.publisher.ofType('OrderPlaced')[0]!;
    c.time.advance(61);
    await c.sweep();
    // Inventory missed the OrderPlaced (its delivery was lost), so the cancellation reaches it first.
    await c.deliver('inventory', (e) => e.type === 'OrderPlaced');
    await c.settle();
    expect(await c.order(id)).toMatchObject({ status: 'cancelled', reason: 'timed-out' });

    // The OrderPlaced comes after all (a redelivery, a replay).
    const before = c.deps.publisher.published.length;
    expect(await createReservations(c.deps)([placed], invocationContext().context)).toEqual([]);
    expect(c.deps.publisher.published.slice(before)).toEqual([]);
    expect(await c.cupsLeft('main')).toBe(5);
  });

  it('a brewing order past its deadline is not cancelled but reported to operators once', async () => {
    // Brewing outlasts the deadline (an hour): the nudges find it still brewing, not done.
    const c = cafe({ orderDeadlineSeconds: 60, brewSeconds: 3600 });
    await c.stock('main', 5);
    const id = await c.place(1);
    await c.settle(); // brewing started
    expect(await c.order(id)).toMatchObject({ status: 'brewing' });
    for (let i = 0; i < 3; i++) {
      c.time.advance(120);
      await c.sweep();
      await c.settle();
    }
    const stuck = c.logs.filter((l) => l.level === 'error' && l.message.startsWith('stuck brewing'));
    expect(stuck.map((l) => l.message)).toEqual([expect.stringMatching(new RegExp(`^stuck brewing orderId=${id} storeId=main `))]);
    expect(c.deps.publisher.ofType('CancelRequested')).toEqual([]);
    expect(await c.order(id)).toMatchObject({ status: 'brewing' });
  });
});

describe('the customer cancel', () => {
  it('a cancel that loses the race to brewing leaves the order to complete, says it came too late, and answers the same again', async () => {
    const c = cafe({ orderDeadlineSeconds: 900 });
    await c.stock('main', 5);
    const id = await c.place(1);
    await c.deliver('inventory');
    await c.deliver('orders'); // accepted
    await c.deliver('beverages'); // brewing has started, but orders does not know yet

    const first = await c.cancel(id);
    expect(first).toMatchObject({ status: 202, body: { id, status: 'accepted', cancel: { reason: 'customer-cancelled' } } });
    await c.settle();
    c.time.advance(3);
    await c.completeBrewing();
    await c.settle();

    expect(await c.order(id)).toMatchObject({ status: 'completed', cancelTooLate: true });
    expect(await c.cupsLeft('main')).toBe(4);
    expect((await c.notifications(id)).map((n) => [n.kind, n.message])).toEqual([['order-completed', expect.stringContaining('cancel came too late')]]);
    const again = await c.cancel(id);
    expect(again).toMatchObject({ status: 202, body: { id, status: 'completed', cancel: { reason: 'customer-cancelled', tooLate: true } } });
  });

  it('a cancel before brewing cancels the order and gives its cups back; brewing or final orders get 409', async () => {
    const c = cafe({ orderDeadlineSeconds: 900 });
    await c.stock('main', 5);
    const id = await c.place(2);
    expect((await c.cancel(id)).status).toBe(202);
    await c.settle();
    expect(await c.order(id)).toMatchObject({ status: 'cancelled', reason: 'customer-cancelled' });
    expect(await c.cupsLeft('main')).toBe(5);
    expect((await c.cancel(id))).toMatchObject({ status: 202, body: { status: 'cancelled' } });

    const brewing = await c.place(1);
    await c.settle();
    expect(await c.cancel(brewing)).toMatchObject({ status: 409, body: { type: expect.stringContaining('already-brewing') } });
    expect((await c.cancel('0000nosuchorder')).status).toBe(404);
  });
});
