import { EventHubConsumerClient, type ReceivedEventData, type Subscription, type SubscribeOptions, type SubscriptionEventHandlers } from '@azure/event-hubs';
import { azureCredential } from '../../shared/credential';
import { describe, expect, it } from 'vitest';
import { createOperationsConsumer, eventHubsReader, UnknownPartitionError, type PartitionConsumer } from '../../shared/eventReader';
import { EVENT_HUB, OPERATIONS_CONSUMER_GROUP } from '../../shared/topology';

/** A partition of the hub in memory: it hands out events from the subscription's start position, in batches. */
function fakeHub(partitions: Record<string, number[]>, batchSize = 2) {
  const subscriptions: { partitionId: string; options: SubscribeOptions | undefined; closed: boolean }[] = [];
  const client: PartitionConsumer = {
    getPartitionIds: async () => Object.keys(partitions),
    subscribe: ((partitionId: string, handlers: SubscriptionEventHandlers, options?: SubscribeOptions): Subscription => {
      const record = { partitionId, options, closed: false };
      subscriptions.push(record);
      const start = (options?.startPosition as { sequenceNumber: number }).sequenceNumber;
      const pending = (partitions[partitionId] ?? []).filter((n) => n >= start);
      void (async () => {
        while (!record.closed && pending.length > 0) {
          await new Promise((resolve) => setImmediate(resolve));
          const batch = pending.splice(0, batchSize).map((n) => ({ sequenceNumber: n, body: { id: `e${n}` } }) as unknown as ReceivedEventData);
          if (!record.closed) await handlers.processEvents(batch, {} as never);
        }
      })();
      return {
        isRunning: true,
        close: async () => void (record.closed = true),
      } as Subscription;
    }) as PartitionConsumer['subscribe'],
  };
  return { client, subscriptions };
}

/** The real client class, remembering how it was constructed (the consumer group is not readable afterwards). */
function recordingClientClass() {
  const constructed: unknown[][] = [];
  class Recording extends EventHubConsumerClient {
    constructor(...args: unknown[]) {
      super(...(args as [string, string, string]));
      constructed.push(args);
    }
  }
  return { Client: Recording, constructed };
}

describe('the Event Hubs reader of the operator replay', () => {
  it('reads through the operations consumer group of the app hub, with the app connection', async () => {
    const { Client, constructed } = recordingClientClass();
    const connectionString = 'Endpoint=sb://cafe-test.servicebus.windows.net/;SharedAccessKeyName=reader;SharedAccessKey=bm90LWEta2V5';
    const client = createOperationsConsumer({ kind: 'connectionString', connectionString }, Client);
    try {
      expect(constructed).toEqual([[OPERATIONS_CONSUMER_GROUP, connectionString, EVENT_HUB]]);
      expect(client.eventHubName).toBe(EVENT_HUB);
      expect(client.fullyQualifiedNamespace).toBe('cafe-test.servicebus.windows.net');
    } finally {
      await client.close();
    }
  });

  it('uses a managed identity on the namespace when the connection is identity-based', async () => {
    const { Client, constructed } = recordingClientClass();
    const client = createOperationsConsumer({ kind: 'identity', fullyQualifiedNamespace: 'cafe-prod.servicebus.windows.net', clientId: '00000000-0000-0000-0000-000000000001' }, Client);
    try {
      expect(constructed).toEqual([[OPERATIONS_CONSUMER_GROUP, 'cafe-prod.servicebus.windows.net', EVENT_HUB, azureCredential('00000000-0000-0000-0000-000000000001')]]);
      expect(client.eventHubName).toBe(EVENT_HUB);
      expect(client.fullyQualifiedNamespace).toBe('cafe-prod.servicebus.windows.net');
    } finally {
      await client.close();
    }
  });

  it('starts at the first sequence number (inclusive) of the partition and stops at the end of the range', async () => {
    const hub = fakeHub({ '0': [], '2': [10, 11, 12, 13, 14, 15, 16, 17] });
    const events = await eventHubsReader(hub.client, { maxWaitMs: 30_000 }).read('2', 11, 14);

    expect(events.map((e) => e.sequenceNumber)).toEqual([11, 12, 13, 14]);
    expect(events[0]!.body).toEqual({ id: 'e11' });
    expect(hub.subscriptions).toHaveLength(1);
    expect(hub.subscriptions[0]).toMatchObject({ partitionId: '2', closed: true, options: { startPosition: { sequenceNumber: 11, isInclusive: true } } });
  });

  it('returns what the partition holds when it ends before the range does, after the wait', async () => {
    const hub = fakeHub({ '1': [3, 4] });
    const events = await eventHubsReader(hub.client, { maxWaitMs: 50 }).read('1', 3, 9);
    expect(events.map((e) => e.sequenceNumber)).toEqual([3, 4]);
    expect(hub.subscriptions[0]!.closed).toBe(true);
  });

  it('refuses a partition the hub does not have, without subscribing', async () => {
    const hub = fakeHub({ '0': [1] });
    await expect(eventHubsReader(hub.client, { maxWaitMs: 50 }).read('7', 0, 1)).rejects.toBeInstanceOf(UnknownPartitionError);
    expect(hub.subscriptions).toEqual([]);
  });
});
