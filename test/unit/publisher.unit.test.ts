import type { EventDataBatch, EventHubProducerClient } from '@azure/event-hubs';
import { describe, expect, it } from 'vitest';
import { makeEvent, type CafeEvent } from '../../shared/events';
import { eventHubsPublisher } from '../../shared/publisher';

/** A producer whose batches take `capacity` events each (and none whose id contains "huge"), recording every send. */
function fakeProducer(capacity: number) {
  const sent: { partitionKey: string | undefined; ids: string[] }[] = [];
  const producer = {
    async createBatch(options?: { partitionKey?: string }) {
      const ids: string[] = [];
      return {
        partitionKey: options?.partitionKey,
        get count() {
          return ids.length;
        },
        tryAdd(event: { body: CafeEvent }) {
          if (ids.length >= capacity || event.body.id.includes('huge')) return false;
          ids.push(event.body.id);
          return true;
        },
        ids,
      } as unknown as EventDataBatch;
    },
    async sendBatch(batch: EventDataBatch & { ids: string[] }) {
      sent.push({ partitionKey: batch.partitionKey, ids: [...batch.ids] });
    },
  };
  return { producer: producer as unknown as EventHubProducerClient, sent };
}

const placed = (orderId: string, storeId: string) =>
  makeEvent('OrderCompleted', { orderId, storeId, occurredAt: '2026-11-25T10:00:00.000Z', customerId: 'c-1' });

describe('the Event Hubs publisher', () => {
  it('splits a store\'s events over as many batches as they need, in order, one partition key per store', async () => {
    const { producer, sent } = fakeProducer(2);
    const events = [placed('a1', 'a'), placed('b1', 'b'), placed('a2', 'a'), placed('a3', 'a'), placed('b2', 'b'), placed('a4', 'a'), placed('a5', 'a')];
    await eventHubsPublisher(producer).publish(events);

    expect(sent).toEqual([
      { partitionKey: 'a', ids: ['a1.OrderCompleted', 'a2.OrderCompleted'] },
      { partitionKey: 'a', ids: ['a3.OrderCompleted', 'a4.OrderCompleted'] },
      { partitionKey: 'a', ids: ['a5.OrderCompleted'] },
      { partitionKey: 'b', ids: ['b1.OrderCompleted', 'b2.OrderCompleted'] },
    ]);
  });

  it('fails on an event too large for an empty batch, after sending the events before it', async () => {
    const { producer, sent } = fakeProducer(2);
    await expect(eventHubsPublisher(producer).publish([placed('a1', 'a'), placed('a2', 'a'), placed('huge', 'a')])).rejects.toThrow(
      /huge\.OrderCompleted is larger than an Event Hubs batch/,
    );
    expect(sent).toEqual([{ partitionKey: 'a', ids: ['a1.OrderCompleted', 'a2.OrderCompleted'] }]);
  });

  it('fails on an oversized first event without sending anything', async () => {
    const { producer, sent } = fakeProducer(2);
    await expect(eventHubsPublisher(producer).publish([placed('huge', 'a'), placed('a2', 'a')])).rejects.toThrow(/larger than an Event Hubs batch/);
    expect(sent).toEqual([]);
  });
});
