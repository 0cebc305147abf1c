import { metrics, type Counter, type Histogram, type MeterProvider } from '@opentelemetry/api';
import { TRACER_NAME } from './tracing';

/**
 * The business metrics. On Azure they are customMetrics in Application Insights, which are never
 * sampled, so the workbook's counts and the alerts see every order (infra/modules/workbook.bicep and
 * alerts.bicep query them by these names). Each is recorded where the fact is committed, once per
 * order: the ETag-guarded write of a status change, not the publish (which may repeat).
 */
export const METRICS = {
  placed: 'cafe.orders.placed',
  completed: 'cafe.orders.completed',
  cancelled: 'cafe.orders.cancelled',
  sagaLatency: 'cafe.orders.saga_latency',
  consumerLag: 'cafe.consumer.lag',
  deadLettered: 'cafe.events.dead_lettered',
  unparked: 'cafe.events.unparked',
} as const;

interface Instruments {
  placed: Counter;
  completed: Counter;
  cancelled: Counter;
  sagaLatency: Histogram;
  consumerLag: Histogram;
  deadLettered: Counter;
  unparked: Counter;
}

let cached: { provider: MeterProvider; instruments: Instruments } | undefined;

/** The instruments of the meter provider now registered (none registered: the API's no-op ones). */
function instruments(): Instruments {
  const provider = metrics.getMeterProvider();
  if (cached?.provider === provider) return cached.instruments;
  const meter = provider.getMeter(TRACER_NAME);
  const made: Instruments = {
    placed: meter.createCounter(METRICS.placed, { description: 'Orders accepted by POST /orders.' }),
    completed: meter.createCounter(METRICS.completed, { description: 'Orders completed.' }),
    cancelled: meter.createCounter(METRICS.cancelled, { description: 'Orders cancelled, by reason.' }),
    sagaLatency: meter.createHistogram(METRICS.sagaLatency, { description: 'From an order placed to completed.', unit: 'ms' }),
    consumerLag: meter.createHistogram(METRICS.consumerLag, { description: 'How long an event waited in the hub before its consumer took it.', unit: 'ms' }),
    deadLettered: meter.createCounter(METRICS.deadLettered, { description: 'Events a consumer parked in the deadletters table.' }),
    unparked: meter.createCounter(METRICS.unparked, { description: 'Events a consumer could neither apply nor park.' }),
  };
  cached = { provider, instruments: made };
  return made;
}

export const businessMetrics = {
  orderPlaced(storeId: string): void {
    instruments().placed.add(1, { storeId });
  },
  orderCompleted(storeId: string, latencyMs: number): void {
    const i = instruments();
    i.completed.add(1, { storeId });
    i.sagaLatency.record(Math.max(0, latencyMs), { storeId });
  },
  orderCancelled(storeId: string, reason: string): void {
    instruments().cancelled.add(1, { storeId, reason });
  },
  consumerLag(consumer: string, lagMs: number): void {
    instruments().consumerLag.record(Math.max(0, lagMs), { consumer });
  },
  deadLettered(consumer: string, eventType: string | undefined): void {
    instruments().deadLettered.add(1, { consumer, eventType: eventType ?? 'unknown' });
  },
  unparked(consumer: string): void {
    instruments().unparked.add(1, { consumer });
  },
};
