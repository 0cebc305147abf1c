import { EventHubConsumerClient, type ReceivedEventData, type Subscription } from '@azure/event-hubs';
import { config, type EventHubConnection } from './config';
import { azureCredential } from './credential';
import { EVENT_HUB, OPERATIONS_CONSUMER_GROUP } from './topology';

/** One event as the hub keeps it: its place in the partition and its body (parsed when it was JSON). */
export interface HubEvent {
  sequenceNumber: number;
  body: unknown;
}

/**
 * Reads a range of one partition of the hub again, for the operator's replay. Never checkpoints: the
 * triggers' positions are untouched.
 */
export interface EventReader {
  /** The events from `from` to `to` (inclusive) in order; fewer when the partition ends sooner or older ones aged out. */
  read(partitionId: string, from: number, to: number): Promise<HubEvent[]>;
}

export class UnknownPartitionError extends Error {
  override name = 'UnknownPartitionError';
}

/** The part of the consumer client the reader uses (a fake in the unit tests). */
export type PartitionConsumer = Pick<EventHubConsumerClient, 'subscribe' | 'getPartitionIds'>;

export interface EventHubsReaderOptions {
  /** Reading stops after this long even if the range is not complete (the partition may end before it). */
  maxWaitMs: number;
}

function parseBody(body: unknown): unknown {
  if (typeof body !== 'string' && !Buffer.isBuffer(body)) return body;
  const text = Buffer.isBuffer(body) ? body.toString('utf8') : body;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/**
 * Reads through the `operations` consumer group from the first sequence number on (inclusive), and
 * closes the subscription at the end of the range, on an error, or after `maxWaitMs`.
 */
export function eventHubsReader(client: PartitionConsumer, options: EventHubsReaderOptions = { maxWaitMs: 10_000 }): EventReader {
  return {
    async read(partitionId, from, to) {
      if (!(await client.getPartitionIds()).includes(partitionId)) throw new UnknownPartitionError(`The hub has no partition ${partitionId}.`);
      const events: HubEvent[] = [];
      return new Promise<HubEvent[]>((resolve, reject) => {
        const held: { subscription?: Subscription } = {};
        let done = false;
        let settle = () => undefined as void;
        const finish = (error?: unknown) => {
          if (done) return;
          done = true;
          clearTimeout(timer);
          settle = () => (error === undefined ? resolve(events) : reject(error instanceof Error ? error : new Error(String(error))));
          if (held.subscription) void held.subscription.close().finally(settle);
        };
        const timer = setTimeout(() => finish(), options.maxWaitMs);
        const take = (received: ReceivedEventData[]) => {
          for (const event of received) {
            if (event.sequenceNumber >= from && event.sequenceNumber <= to) events.push({ sequenceNumber: event.sequenceNumber, body: parseBody(event.body) });
          }
          if (received.some((event) => event.sequenceNumber >= to)) finish();
        };
        held.subscription = client.subscribe(
          partitionId,
          {
            processEvents: async (received) => take(received),
            processError: async (error) => finish(error),
          },
          {
            startPosition: { sequenceNumber: from, isInclusive: true },
            maxBatchSize: Math.min(100, to - from + 1),
            maxWaitTimeInSeconds: 1,
          },
        );
        // a handler that ran before subscribe returned could not close the subscription yet
        if (done) void held.subscription.close().finally(settle);
      });
    },
  };
}

/**
 * A client on the `operations` consumer group, with the app's own connection (identity on Azure). No
 * checkpoint store: a replay reads one partition from a given position and keeps no position of its own.
 */
export function createOperationsConsumer(
  connection: Exclude<EventHubConnection, { kind: 'localEventLog' }>,
  Client: typeof EventHubConsumerClient = EventHubConsumerClient,
): EventHubConsumerClient {
  return connection.kind === 'connectionString'
    ? new Client(OPERATIONS_CONSUMER_GROUP, connection.connectionString, EVENT_HUB)
    : new Client(OPERATIONS_CONSUMER_GROUP, connection.fullyQualifiedNamespace, EVENT_HUB, azureCredential(connection.clientId));
}

/** Reads the local host's event log (see local-host/): `GET /_eventhubs/{hub}/partitions/{id}/messages?from=&to=`. */
export function localEventLogReader(endpoint: string, fetchImpl: typeof fetch = fetch): EventReader {
  return {
    async read(partitionId, from, to) {
      const url = `${endpoint.replace(/\/+$/, '')}/${EVENT_HUB}/partitions/${encodeURIComponent(partitionId)}/messages?from=${from}&to=${to}`;
      const response = await fetchImpl(url);
      if (response.status === 404) throw new UnknownPartitionError(`The hub has no partition ${partitionId}.`);
      if (!response.ok) throw new Error(`Local event log answered ${response.status}: ${await response.text()}`);
      const { records } = (await response.json()) as { records: { sequenceNumber: number; body: unknown }[] };
      return records.map((r) => ({ sequenceNumber: r.sequenceNumber, body: parseBody(r.body) }));
    },
  };
}

let shared: EventReader | undefined;

/** The process-wide reader, chosen from the same setting as the publisher. */
export function eventReader(): EventReader {
  if (!shared) {
    const connection = config().eventHub;
    shared = connection.kind === 'localEventLog' ? localEventLogReader(connection.endpoint) : eventHubsReader(createOperationsConsumer(connection));
  }
  return shared;
}
