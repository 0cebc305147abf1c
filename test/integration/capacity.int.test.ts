import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cancelledJob } from '../../functions/beverages/brewing';
import { createBrewer } from '../../functions/beverages/brewer';
import { DUE_PARTITION, indexKey, lookFilter, queuePartition, toRow as toJobRow } from '../../functions/beverages/rows';
import { makeEvent } from '../../shared/events';
import { DEFAULT_STORE_SETTINGS, toRow, type StoreSettings } from '../../shared/storeSettings';
import { listAll } from '../../shared/tables';
import { TABLES } from '../../shared/topology';
import { SpanBatch, SpanKind } from '../../shared/tracing';
import { invocationContext } from '../support/context';
import { testDeps } from '../support/deps';

function clock(start: string) {
  let now = new Date(start);
  return { now: () => now, advance: (seconds: number) => (now = new Date(now.getTime() + seconds * 1000)) };
}

const T0 = '2026-11-25T10:00:00.000Z';
const at = (seconds: number) => new Date(Date.parse(T0) + seconds * 1000).toISOString();
type Items = { menuItemId: string; quantity: number }[];
const latte: Items = [{ menuItemId: 'cafe-latte', quantity: 1 }];
const reserved = (orderId: string, items: Items = latte, storeId = 'main') =>
  makeEvent('CupsReserved', { orderId, storeId, occurredAt: T0, customerId: 'c-1', items, cups: items.reduce((n, i) => n + i.quantity, 0) });
const cancel = (orderId: string, reason = 'customer-cancelled') => makeEvent('CancelRequested', { orderId, storeId: 'main', occurredAt: T0, customerId: 'c-1', reason });

/** A store as its staff set it: written straight into the stores table, as the stores routes would. */
async function configure(deps: ReturnType<typeof testDeps>, settings: Partial<StoreSettings>, storeId = 'main') {
  const stores = await deps.table(TABLES.stores);
  await stores.upsertEntity(toRow(storeId, { ...DEFAULT_STORE_SETTINGS, ...settings }, new Date(T0)), 'Replace');
}

function setUp(brewSeconds = 5) {
  const time = clock(T0);
  const deps = testDeps({ brewSeconds }, time.now);
  const brewer = createBrewer(deps);
  const ctx = () => invocationContext().context;
  const started = () => deps.publisher.ofType('BrewingStarted').map((e) => e.orderId);
  const completed = () => deps.publisher.ofType('BeverageCompleted').map((e) => e.orderId);
  const queueRows = async () => (await listAll<{ orderId?: string; entry?: string }>(await deps.table(TABLES.beverages), '')).filter((r) => r.partitionKey!.startsWith('~queue~'));
  return { time, deps, brewer, ctx, started, completed, queueRows };
}

describe('a store with limited machines, against Azurite', () => {
  it('with one machine brews orders one after another, first in first out, each for the sum of its drinks', async () => {
    const { time, deps, brewer, ctx, started, completed } = setUp();
    await configure(deps, { machines: 1, brewSeconds: { 'cafe-latte': 10, 'iced-tea': 3 } });
    // Order ids chosen so that sorting by id would put the second order first.
    expect(await brewer.brew([reserved('zz1', [{ menuItemId: 'cafe-latte', quantity: 2 }]), reserved('aa2', [{ menuItemId: 'iced-tea', quantity: 1 }])], ctx())).toEqual([]);
    expect(deps.publisher.ofType('BrewingStarted')).toEqual([expect.objectContaining({ orderId: 'zz1', readyAt: at(20) })]);

    time.advance(19);
    await brewer.completeReady({}, ctx());
    expect(started()).toEqual(['zz1']);
    time.advance(1);
    await brewer.completeReady({}, ctx());
    expect(completed()).toEqual(['zz1']);
    expect(deps.publisher.ofType('BrewingStarted')).toEqual([expect.objectContaining({ orderId: 'zz1' }), expect.objectContaining({ orderId: 'aa2', readyAt: at(23) })]);
    time.advance(3);
    await brewer.completeReady({}, ctx());
    expect(completed()).toEqual(['zz1', 'aa2']);
  });

  it('with N machines brews N orders at once and starts the next when one completes', async () => {
    const { time, deps, brewer, ctx, started, completed, queueRows } = setUp(5);
    await configure(deps, { machines: 2 });
    await brewer.brew([reserved('o1'), reserved('o2'), reserved('o3')], ctx());
    await brewer.brew([reserved('o4')], ctx());
    expect(started()).toEqual(['o1', 'o2']);
    time.advance(5);
    await brewer.completeReady({}, ctx());
    expect(completed()).toEqual(['o1', 'o2']);
    expect(started()).toEqual(['o1', 'o2', 'o3', 'o4']);
    time.advance(5);
    await brewer.completeReady({}, ctx());
    expect(completed()).toEqual(['o1', 'o2', 'o3', 'o4']);
    // Entries go once their machine is free and a look at the queue sees it.
    await brewer.brew([reserved('o5')], ctx());
    expect((await queueRows()).map((r) => r.rowKey).filter((k) => k !== 'machines')).toEqual([expect.stringMatching(/^o_o5$/), expect.stringMatching(/_o5$/)]);
  });

  it('queues a redelivered or concurrently delivered reservation once, and starts it once', async () => {
    const { time, deps, brewer, ctx, started, queueRows } = setUp(5);
    await configure(deps, { machines: 1 });
    const other = createBrewer(deps);
    await brewer.brew([reserved('d1'), reserved('d2'), reserved('d2')], ctx());
    await Promise.all([brewer.brew([reserved('d2')], ctx()), other.brew([reserved('d2')], ctx()), other.brew([reserved('d3')], ctx())]);
    const entries = (await queueRows()).filter((r) => r.rowKey!.startsWith('q_'));
    expect(entries.map((r) => r.orderId).sort()).toEqual(['d1', 'd2', 'd3']);
    expect(started()).toEqual(['d1']);

    // Two instances complete d1 at once: the one machine goes to d2 only.
    time.advance(5);
    await Promise.all([brewer.completeReady({}, ctx()), other.completeReady({}, ctx())]);
    expect(new Set(started())).toEqual(new Set(['d1', 'd2']));
    const jobs = (await listAll<{ status: string }>(await deps.table(TABLES.beverages), "RowKey eq 'job'")).map((r) => r.partitionKey);
    expect(jobs.sort()).toEqual(['d1', 'd2']);
  });

  it('cancels a queued order: BrewingCancelled, it leaves the queue and never brews', async () => {
    const { time, deps, brewer, ctx, started, completed, queueRows } = setUp(5);
    await configure(deps, { machines: 1 });
    await brewer.brew([reserved('c1'), reserved('c2'), reserved('c3')], ctx());
    await brewer.brew([cancel('c2')], ctx());
    expect(deps.publisher.ofType('BrewingCancelled')).toEqual([expect.objectContaining({ orderId: 'c2', reason: 'customer-cancelled' })]);

    time.advance(5);
    await brewer.completeReady({}, ctx());
    expect(started()).toEqual(['c1', 'c3']);
    // A reservation redelivered after the cancel finds the tombstone: cancelled again, not queued.
    await brewer.brew([reserved('c2')], ctx());
    expect(deps.publisher.published.at(-1)).toMatchObject({ type: 'BrewingCancelled', orderId: 'c2' });
    expect((await queueRows()).map((r) => r.orderId ?? r.entry).filter((v) => String(v).includes('c2'))).toEqual([]);
    time.advance(5);
    await brewer.completeReady({}, ctx());
    expect(completed()).toEqual(['c1', 'c3']);
    expect(started()).not.toContain('c2');
  });

  it('a cancel that comes after the queued order started loses', async () => {
    const { time, deps, brewer, ctx, started, completed } = setUp(5);
    await configure(deps, { machines: 1 });
    await brewer.brew([reserved('l1'), reserved('l2')], ctx());
    time.advance(5);
    await brewer.completeReady({}, ctx());
    expect(started()).toEqual(['l1', 'l2']);
    const { context, logs } = invocationContext();
    await brewer.brew([cancel('l2')], context);
    expect(deps.publisher.ofType('BrewingCancelled')).toEqual([]);
    expect(logs.map((l) => l.message).join('\n')).toMatch(/cancel came too late orderId=l2/);
    time.advance(5);
    await brewer.completeReady({}, ctx());
    expect(completed()).toEqual(['l1', 'l2']);
  });

  it('when the store\'s limit is removed, the orders still waiting start at the next completion', async () => {
    const { time, deps, brewer, ctx, started } = setUp(5);
    await configure(deps, { machines: 1 });
    await brewer.brew([reserved('r1'), reserved('r2'), reserved('r3')], ctx());
    await configure(deps, { machines: null });
    time.advance(6); // past the settings cache's few seconds
    await brewer.completeReady({}, ctx());
    expect(started()).toEqual(['r1', 'r2', 'r3']);
  });

  it('with a brewing time of 0 and one machine, every order starts and completes at once', async () => {
    const { deps, brewer, ctx, started, completed } = setUp(0);
    await configure(deps, { machines: 1 });
    expect(await brewer.brew([reserved('z1'), reserved('z2')], ctx())).toEqual([]);
    expect(started()).toEqual(['z1', 'z2']);
    expect(completed()).toEqual(['z1', 'z2']);
  });

  it('a store with machines unset brews every order at once and keeps no queue', async () => {
    const { deps, brewer, ctx, started } = setUp(5);
    await configure(deps, { brewSeconds: { 'cafe-latte': 7 } });
    await brewer.brew([reserved('u1'), reserved('u2', [{ menuItemId: 'cafe-latte', quantity: 3 }])], ctx());
    expect(deps.publisher.ofType('BrewingStarted')).toEqual([expect.objectContaining({ orderId: 'u1', readyAt: at(7) }), expect.objectContaining({ orderId: 'u2', readyAt: at(21) })]);
    expect(started()).toEqual(['u1', 'u2']);
    const rows = await listAll(await deps.table(TABLES.beverages), '');
    expect(rows.filter((r) => r.partitionKey!.startsWith('~queue~'))).toEqual([]);
  });
});

describe('a store\'s queue keeps moving, against Azurite', () => {
  it('a cancel of a waiting order takes its entry and index row out of the queue at once', async () => {
    const { deps, brewer, ctx, queueRows } = setUp(5);
    await configure(deps, { machines: 1 });
    await brewer.brew([reserved('w1'), reserved('w2'), reserved('w3')], ctx());
    await brewer.brew([cancel('w2', 'timed-out')], ctx());
    const keys = (await queueRows()).map((r) => r.rowKey!);
    expect(keys.filter((k) => k.includes('w2'))).toEqual([]);
    expect(keys.filter((k) => k.includes('w3'))).toHaveLength(2);
  });

  it('a live order behind many cancelled ones gets the free machine in one look', async () => {
    const { time, deps, brewer, ctx, started } = setUp(5);
    await configure(deps, { machines: 1 });
    const dead = Array.from({ length: 25 }, (_, i) => `x${String(i).padStart(2, '0')}`);
    await brewer.brew([reserved('first'), ...dead.map((id) => reserved(id)), reserved('live')], ctx());
    // Tombstones left without their queue entries removed (a cancel that crashed in between): the
    // look that reaches each entry drops it and gives its machine to the next.
    const jobs = await deps.table(TABLES.beverages);
    for (const id of dead) await jobs.createEntity(toJobRow(cancelledJob({ orderId: id, storeId: 'main', customerId: 'c-1', reason: 'timed-out' }, time.now())));
    time.advance(5);
    await brewer.completeReady({}, ctx());
    expect(started()).toEqual(['first', 'live']);
  });

  it('a store whose queue cannot be looked at keeps its completions for the next run; the others complete once', async () => {
    const { time, deps, brewer, ctx, completed, started } = setUp(5);
    await configure(deps, { machines: 1 });
    await configure(deps, { machines: 1 }, 'broken');
    await brewer.brew([reserved('b1', latte, 'broken'), reserved('m1'), reserved('m2'), reserved('u1', latte, 'open')], ctx());
    // The broken store's queue holds an entry nobody can read.
    const jobs = await deps.table(TABLES.beverages);
    await jobs.createEntity({ partitionKey: queuePartition('broken'), rowKey: 'q_0000', orderId: 'bad', customerId: 'c-1', items: 'not json', brewSeconds: 5, state: 'queued' });
    time.advance(5);
    const { context, logs } = invocationContext();
    await brewer.completeReady({}, context);
    expect(new Set(completed())).toEqual(new Set(['b1', 'm1', 'u1']));
    expect(started()).toContain('m2');
    expect(logs.filter((l) => l.level === 'error').map((l) => l.message).join('\n')).toMatch(/storeId=broken/);
    const due = await listAll<{ orderId: string }>(jobs, `PartitionKey eq '${DUE_PARTITION}'`);
    expect(due.map((r) => r.orderId).sort()).toEqual(['b1', 'm2']);

    await brewer.completeReady({}, ctx());
    expect(completed().filter((id) => id !== 'b1').sort()).toEqual(['m1', 'u1']);
  });

  it('machines raised while a long order brews are used at the next sweep, with no completion', async () => {
    const { time, deps, brewer, ctx, started } = setUp(60);
    await configure(deps, { machines: 1 });
    await brewer.brew([reserved('g1'), reserved('g2'), reserved('g3'), reserved('g4')], ctx());
    expect(started()).toEqual(['g1']);
    await configure(deps, { machines: 3 });
    time.advance(6); // past the settings cache's few seconds; g1 brews for a minute
    await brewer.completeReady({}, ctx());
    expect(started()).toEqual(['g1', 'g2', 'g3']);
  });

  it('with the limit removed, orders still queued start before new ones, a redelivered one from the queue', async () => {
    const { time, deps, brewer, ctx, started } = setUp(60);
    await configure(deps, { machines: 1 });
    await brewer.brew([reserved('f1'), reserved('f2'), reserved('f3')], ctx());
    await configure(deps, { machines: null });
    time.advance(6);
    await brewer.brew([reserved('f2'), reserved('f4')], ctx());
    expect(started().indexOf('f3')).toBeGreaterThan(-1);
    expect(started().indexOf('f3')).toBeLessThan(started().indexOf('f4'));
    expect(started().indexOf('f2')).toBeLessThan(started().indexOf('f3'));
    const f2 = await (await deps.table(TABLES.beverages)).getEntity<{ queued?: boolean }>('f2', 'job');
    expect(f2.queued).toBe(true);
  });

  it('a look at the queue reads its machines row and entries, not the orders\' index rows', async () => {
    const { deps, brewer, ctx } = setUp(5);
    await configure(deps, { machines: 1 });
    await brewer.brew([reserved('i1'), reserved('i2'), reserved('i3')], ctx());
    const rows = await listAll(await deps.table(TABLES.beverages), lookFilter('main'));
    expect(rows.map((r) => r.rowKey!.slice(0, 2)).sort()).toEqual(['ma', 'q_', 'q_', 'q_']);
    expect(rows.some((r) => r.rowKey === indexKey('i1'))).toBe(false);
  });
});

describe('the in-process completion alarm', () => {
  const spans = new InMemorySpanExporter();
  const provider = new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(spans)] });
  beforeAll(() => provider.register());
  afterAll(() => provider.shutdown());

  it('completes in a run of its own, not as a child of the reservation batch that set it', async () => {
    const deps = testDeps({ brewSeconds: 1 });
    const brewer = createBrewer(deps, { completeWhenDue: true });
    const batch = new SpanBatch('brewBeverages', SpanKind.CONSUMER, [{ key: 'e-1', orderId: 'a1', name: 'brewBeverages CupsReserved', parent: undefined }]);
    await batch.run(() => brewer.brew([reserved('a1')], invocationContext().context));
    batch.end();
    // The run's span ends after its publish: wait for both.
    const runEnded = () => spans.getFinishedSpans().some((s) => s.name === 'completeBeverages');
    for (let i = 0; i < 100 && (deps.publisher.ofType('BeverageCompleted').length === 0 || !runEnded()); i++) await new Promise((r) => setTimeout(r, 50));
    expect(deps.publisher.ofType('BeverageCompleted').map((e) => e.orderId)).toEqual(['a1']);

    const finished = spans.getFinishedSpans();
    const reservation = finished.find((s) => s.name === 'brewBeverages')!;
    const orderSpan = finished.find((s) => s.name === 'brewBeverages CupsReserved')!;
    const run = finished.find((s) => s.name === 'completeBeverages')!;
    expect(run.parentSpanContext?.spanId).toBeUndefined();
    expect(run.spanContext().traceId).not.toBe(reservation.spanContext().traceId);
    // The order's completion still continues the order's own trace, through its due entry.
    expect(finished.find((s) => s.name === 'completeBeverages BeverageCompleted')!.parentSpanContext?.spanId).toBe(orderSpan.spanContext().spanId);
  });
});
