import { HttpRequest, type HttpResponseInit } from '@azure/functions';
import { metrics } from '@opentelemetry/api';
import { MeterProvider, MetricReader, type DataPoint, type Histogram } from '@opentelemetry/sdk-metrics';
import { InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createBrewer } from '../../functions/beverages/brewer';
import { createInventoryApi } from '../../functions/inventory/api';
import { createReservations } from '../../functions/inventory/reservations';
import { createKioskProjection } from '../../functions/kiosk/projector';
import { createNotifier } from '../../functions/notifications/notifier';
import { createOrdersApi } from '../../functions/orders/api';
import { createCancelApi } from '../../functions/orders/cancel';
import { createOrderProgress } from '../../functions/orders/progress';
import { createOrderSweep } from '../../functions/orders/sweep';
import { eventHubConsumer, type ConsumerSpec } from '../../shared/consumer';
import { consumerDeps, type ServiceDeps } from '../../shared/deps';
import type { CafeEvent, CafeEventType } from '../../shared/events';
import { withProblems } from '../../shared/http';
import { METRICS } from '../../shared/metrics';
import { eventProperties, type EventPublisher } from '../../shared/publisher';
import { TRACEPARENT } from '../../shared/tracing';
import { parkEach } from '../../shared/parking';
import { TABLES } from '../../shared/topology';
import { invocationContext } from '../support/context';
import { testDeps } from '../support/deps';

const spans = new InMemorySpanExporter();
const tracerProvider = new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(spans)] });

/** Collects the app's metrics on demand. */
class TestReader extends MetricReader {
  protected async onForceFlush(): Promise<void> {}
  protected async onShutdown(): Promise<void> {}
}
const reader = new TestReader();
const meterProvider = new MeterProvider({ readers: [reader] });

beforeAll(() => {
  tracerProvider.register();
  metrics.setGlobalMeterProvider(meterProvider);
});
afterAll(async () => {
  await tracerProvider.shutdown();
  await meterProvider.shutdown();
});
beforeEach(() => spans.reset());

/**
 * The hub in memory: each published event is kept with the application properties the real publishers
 * send (shared/publisher.ts `eventProperties`, the traceparent included), and each consumer group reads
 * from its own position, with the trigger metadata the Functions host gives a batch.
 */
class MemoryHub implements EventPublisher {
  readonly records: { body: CafeEvent; properties: Record<string, string>; enqueuedTimeUtc: string }[] = [];
  failNext = 0;

  async publish(events: readonly CafeEvent[]): Promise<void> {
    if (this.failNext > 0) {
      this.failNext--;
      throw new Error('event hub unavailable');
    }
    for (const body of events) this.records.push({ body, properties: eventProperties(body), enqueuedTimeUtc: new Date().toISOString() });
  }
}

interface Group {
  run: (messages: unknown, context: ReturnType<typeof invocationContext>['context']) => Promise<void>;
  position: number;
}

function group<T extends CafeEventType>(deps: ServiceDeps, spec: ConsumerSpec<T>): Group {
  return { run: eventHubConsumer(spec, consumerDeps(deps)), position: 0 };
}

/** Delivers every group's unread events, batch by batch, until no group has any left. */
async function drain(hub: MemoryHub, groups: Group[]): Promise<void> {
  for (let moved = true; moved; ) {
    moved = false;
    for (const g of groups) {
      const batch = hub.records.slice(g.position);
      if (batch.length === 0) continue;
      g.position += batch.length;
      moved = true;
      const { context } = invocationContext({
        triggerMetadata: {
          propertiesArray: batch.map((r) => r.properties),
          enqueuedTimeUtcArray: batch.map((r) => r.enqueuedTimeUtc),
          sequenceNumberArray: batch.map((_, i) => g.position - batch.length + i),
        },
      });
      await g.run(batch.map((r) => JSON.stringify(r.body)), context);
    }
  }
}

function clock(start: string) {
  let now = new Date(start);
  return { now: () => now, advance: (seconds: number) => (now = new Date(now.getTime() + seconds * 1000)) };
}

/** The services of the saga in one process, on one hub and one Azurite (each service its own table). */
async function cafe() {
  const time = clock('2026-11-25T10:00:00.000Z');
  const hub = new MemoryHub();
  const deps: ServiceDeps = { ...testDeps({ brewSeconds: 3 }, time.now), publisher: hub };
  const brewer = createBrewer(deps);
  const groups = [
    group(deps, { name: 'reserveCups', accepts: ['OrderPlaced', 'OrderCancelled'], handle: createReservations(deps) }),
    group(deps, { name: 'brewBeverages', accepts: ['CupsReserved', 'CancelRequested'], handle: brewer.brew }),
    group(deps, {
      name: 'trackOrders',
      accepts: ['OrderPlaced', 'CupsReserved', 'CupsOutOfStock', 'BrewingStarted', 'BeverageCompleted', 'BrewingCancelled'],
      handle: createOrderProgress(deps),
    }),
    group(deps, { name: 'notifyCustomers', accepts: ['OrderCancelled', 'OrderCompleted'], handle: createNotifier(deps) }),
    group(deps, { name: 'projectKiosk', accepts: ['OrderPlaced', 'CupsReserved', 'BrewingStarted', 'OrderCompleted', 'OrderCancelled'], handle: createKioskProjection(deps) }),
  ];
  const stock = new HttpRequest({
    method: 'PUT',
    url: 'http://localhost/inventories/main',
    params: { storeId: 'main' },
    body: { string: JSON.stringify({ cups: 10 }) },
    headers: { 'content-type': 'application/json' },
  });
  expect((await withProblems(createInventoryApi(deps).setStock)(stock, invocationContext().context)).status).toBe(200);
  const orders = createOrdersApi(deps);
  const place = async (customerId: string): Promise<string> => {
    const request = new HttpRequest({
      method: 'POST',
      url: 'http://localhost/orders',
      body: { string: JSON.stringify({ customerId, items: [{ menuItemId: 'iced-tea', quantity: 1 }] }) },
      headers: { 'content-type': 'application/json' },
    });
    const response: HttpResponseInit = await withProblems(orders.placeOrder)(request, invocationContext().context);
    expect(response.status).toBe(202);
    return (response.jsonBody as { id: string } | undefined)?.id ?? (JSON.parse(String(response.body)) as { id: string }).id;
  };
  return { time, hub, deps, brewer, groups, place, sweep: createOrderSweep(deps) };
}

const finished = () => spans.getFinishedSpans();
const traceOf = (span: ReadableSpan) => span.spanContext().traceId;
const parentOf = (span: ReadableSpan) => span.parentSpanContext?.spanId;

/** The one span of this order with this name. */
function spanOf(orderId: string, name: string): ReadableSpan {
  const found = finished().filter((s) => s.name === name && s.attributes['cafe.order_id'] === orderId);
  expect(found, `${name} spans of ${orderId}`).toHaveLength(1);
  return found[0]!;
}

function sumOf(name: string, collected: Awaited<ReturnType<MetricReader['collect']>>): number {
  const points = collected.resourceMetrics.scopeMetrics.flatMap((s) => s.metrics).filter((m) => m.descriptor.name === name).flatMap((m) => m.dataPoints as DataPoint<unknown>[]);
  return points.reduce((sum, p) => sum + (typeof p.value === 'number' ? p.value : (p.value as Histogram).count), 0);
}

describe('one order is one trace, from POST /orders to the notification and the kiosk view', () => {
  it('every hop handles the order in a span of the trace the intake started, each the child of the hop before', async () => {
    const { time, hub, brewer, groups, place } = await cafe();
    const first = await place('c-1');
    const second = await place('c-2');
    const intakeOf = { [first]: spanOf(first, 'placeOrder'), [second]: spanOf(second, 'placeOrder') };
    expect(traceOf(intakeOf[first]!)).not.toBe(traceOf(intakeOf[second]!));

    // Both orders travel in the same batches, so a batch-wide trace would merge them.
    await drain(hub, groups);
    time.advance(3);
    await brewer.completeReady({}, invocationContext().context);
    await drain(hub, groups);

    for (const orderId of [first, second]) {
      const intake = intakeOf[orderId]!;
      const hop = (name: string) => spanOf(orderId, name);
      const chain = [
        [hop('reserveCups OrderPlaced'), intake],
        [hop('brewBeverages CupsReserved'), hop('reserveCups OrderPlaced')],
        [hop('completeBeverages BeverageCompleted'), hop('brewBeverages CupsReserved')],
        [hop('trackOrders BeverageCompleted'), hop('completeBeverages BeverageCompleted')],
        [hop('notifyCustomers OrderCompleted'), hop('trackOrders BeverageCompleted')],
        [hop('projectKiosk OrderCompleted'), hop('trackOrders BeverageCompleted')],
        [hop('projectKiosk OrderPlaced'), intake],
      ] as const;
      for (const [child, parent] of chain) {
        expect(traceOf(child), child.name).toBe(traceOf(intake));
        expect(parentOf(child), `${child.name} is the child of ${parent.name}`).toBe(parent.spanContext().spanId);
      }
      // The event carries the context of the span that published it.
      const completed = hub.records.find((r) => r.body.type === 'OrderCompleted' && r.body.orderId === orderId)!;
      expect(completed.properties[TRACEPARENT]).toContain(hop('trackOrders BeverageCompleted').spanContext().spanId);
    }

    // A batch span belongs to no single order: it links to the traces of the events it handled.
    const reserveBatch = finished().find((s) => s.name === 'reserveCups' && s.links.length === 2)!;
    expect(reserveBatch.links.map((l) => l.context.traceId).sort()).toEqual([traceOf(intakeOf[first]!), traceOf(intakeOf[second]!)].sort());

    const collected = await reader.collect();
    expect(sumOf(METRICS.placed, collected)).toBe(2);
    expect(sumOf(METRICS.completed, collected)).toBe(2);
    expect(sumOf(METRICS.sagaLatency, collected)).toBe(2);
    expect(sumOf(METRICS.consumerLag, collected)).toBeGreaterThan(0);
  });

  it('a customer\'s cancel is asked for in the order\'s trace, not the cancel request\'s own', async () => {
    const { hub, place, deps } = await cafe();
    const orderId = await place('c-4');
    const intake = spanOf(orderId, 'placeOrder');
    const cancel = new HttpRequest({ method: 'POST', url: `http://localhost/orders/${orderId}/cancel`, params: { id: orderId } });
    expect((await withProblems(createCancelApi(deps).cancelOrder)(cancel, invocationContext().context)).status).toBe(202);
    const asked = hub.records.find((r) => r.body.type === 'CancelRequested' && r.body.orderId === orderId)!;
    const span = spanOf(orderId, 'cancelOrder CancelRequested');
    expect(parentOf(span)).toBe(intake.spanContext().spanId);
    expect(asked.properties[TRACEPARENT]).toBe(`00-${traceOf(intake)}-${span.spanContext().spanId}-01`);
  });

  it('the sweep re-publishes an order whose intake publish failed in the intake\'s trace', async () => {
    const { time, hub, place, sweep, deps } = await cafe();
    hub.failNext = 1;
    const orderId = await place('c-3');
    expect(hub.records).toHaveLength(0);
    const intake = spanOf(orderId, 'placeOrder');

    time.advance(deps.settings.orderNudgeAfterSeconds + 1);
    await sweep({}, invocationContext().context);
    const placed = hub.records.find((r) => r.body.type === 'OrderPlaced' && r.body.orderId === orderId)!;
    const nudge = spanOf(orderId, 'sweepOpenOrders order');
    expect(traceOf(nudge)).toBe(traceOf(intake));
    expect(parentOf(nudge)).toBe(intake.spanContext().spanId);
    expect(placed.properties[TRACEPARENT]).toBe(`00-${traceOf(intake)}-${nudge.spanContext().spanId}-01`);
  });

  it('counts a dead-lettered event once, however often a retry or a redelivery parks it again', async () => {
    const deps = testDeps();
    const parking = { deadLetters: () => deps.table(TABLES.deadLetters), now: deps.now };
    const letter = { consumer: 'metricsProbe', eventId: 'o1.OrderPlaced', eventType: 'OrderPlaced', payload: { id: 'o1.OrderPlaced' }, error: new Error('poison'), attempt: 1 };
    const before = sumOf(METRICS.deadLettered, await reader.collect());
    const backoff = { firstDelayMs: 1, maxDelayMs: 1, budgetMs: 1_000 };
    for (let i = 0; i < 3; i++) expect(await parkEach(parking, [letter], backoff, invocationContext().context)).toEqual([]);
    expect(sumOf(METRICS.deadLettered, await reader.collect()) - before).toBe(1);
  });
});
