import { EventHubProducerClient, type EventData } from '@azure/event-hubs';
import { groupBy } from './collections';
import { config, type EventHubConnection } from './config';
import { azureCredential } from './credential';
import { isOrderEvent, type CafeEvent } from './events';
import { EVENT_HUB } from './topology';
import { TRACEPARENT, traceparentForOrder } from './tracing';

export interface PublishOptions {
  /** Cancels the publish (the SDK's own retries included); callers with a deadline pass one. */
  abortSignal?: AbortSignal;
}

/** Publishes events with `partitionKey = storeId`, so one store's events stay in order. */
export interface EventPublisher {
  publish(events: readonly CafeEvent[], options?: PublishOptions): Promise<void>;
}

const byStore = (events: readonly CafeEvent[]) => groupBy(events, (event) => event.storeId);

/**
 * Application properties as strings: through the namespace's Kafka endpoint they become record headers, and
 * Kafka clients read headers as text (tools/events decodes them). `traceparent` is the W3C trace context
 * of the work that published the event (its order's span, see shared/tracing.ts), when there is one.
 */
export function eventProperties(event: CafeEvent): Record<string, string> {
  // A store's event (StockLow) belongs to no order's trace: it goes on in the span that published it.
  const traceparent = traceparentForOrder(isOrderEvent(event) ? event.orderId : event.id);
  return { type: event.type, version: String(event.version), ...(traceparent ? { [TRACEPARENT]: traceparent } : {}) };
}

function toEventData(event: CafeEvent): EventData {
  return {
    body: event,
    contentType: 'application/json',
    messageId: event.id,
    properties: eventProperties(event),
  };
}

function createProducer(connection: Exclude<EventHubConnection, { kind: 'localEventLog' }>): EventHubProducerClient {
  return connection.kind === 'connectionString'
    ? new EventHubProducerClient(connection.connectionString, EVENT_HUB)
    : new EventHubProducerClient(connection.fullyQualifiedNamespace, EVENT_HUB, azureCredential(connection.clientId));
}

export function eventHubsPublisher(producer: EventHubProducerClient): EventPublisher {
  return {
    async publish(events, { abortSignal } = {}) {
      const signal = abortSignal ? { abortSignal } : {};
      for (const [partitionKey, group] of byStore(events)) {
        let batch = await producer.createBatch({ partitionKey, ...signal });
        for (const event of group) {
          if (batch.tryAdd(toEventData(event))) continue;
          if (batch.count === 0) throw new Error(`Event ${event.id} is larger than an Event Hubs batch`);
          await producer.sendBatch(batch, signal);
          batch = await producer.createBatch({ partitionKey, ...signal });
          if (!batch.tryAdd(toEventData(event))) throw new Error(`Event ${event.id} is larger than an Event Hubs batch`);
        }
        if (batch.count > 0) await producer.sendBatch(batch, signal);
      }
    },
  };
}

/**
 * Publishes to the local host's durable event log (see local-host/), used by `npm start` where no
 * Event Hubs namespace or emulator exists. The log answers only after the events are on disk.
 */
export function localEventLogPublisher(endpoint: string, fetchImpl: typeof fetch = fetch): EventPublisher {
  const url = `${endpoint.replace(/\/+$/, '')}/${EVENT_HUB}/messages`;
  return {
    async publish(events, { abortSignal } = {}) {
      for (const [partitionKey, group] of byStore(events)) {
        const response = await fetchImpl(url, {
          method: 'POST',
          ...(abortSignal ? { signal: abortSignal } : {}),
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ partitionKey, events: group.map((body) => ({ body, properties: eventProperties(body) })) }),
        });
        if (!response.ok) throw new Error(`Local event log answered ${response.status}: ${await response.text()}`);
      }
    },
  };
}

let shared: EventPublisher | undefined;

/** The process-wide publisher: one reused producer client for the hub. */
export function publisher(): EventPublisher {
  if (!shared) {
    const connection = config().eventHub;
    shared =
      connection.kind === 'localEventLog'
        ? localEventLogPublisher(connection.endpoint)
        : eventHubsPublisher(createProducer(connection));
  }
  return shared;
}
