import { describe, expect, it } from 'vitest';
import { makeEvent } from '../../shared/events';
import { sharedLocalHost } from '../support/localHost';

/**
 * The operator's replay against the local host: events are read back from the host's event log by
 * partition and sequence range and appended to the hub again.
 */
const shared = sharedLocalHost();

interface Replayed {
  partitionId: string;
  read: number;
  replayed: number;
  eventIds: string[];
  skipped: { sequenceNumber: number; eventId?: string; reason: string }[];
}

const completed = (orderId: string, storeId: string) =>
  makeEvent('OrderCompleted', { orderId, storeId, occurredAt: '2026-11-25T10:00:00.000Z', customerId: `c-${orderId}` });

async function readPartition(partitionId: string, from: number, to: number) {
  const { status, body } = await shared.http.get<{ records: { sequenceNumber: number; body: string }[] }>(
    `/_eventhubs/cafe-events/partitions/${partitionId}/messages?from=${from}&to=${to}`,
  );
  expect(status).toBe(200);
  return body.records;
}

describe('POST /operations/replay', () => {
  it('publishes the valid events of a partition range again and reports the ones it skipped', async () => {
    const store = `replay-${process.pid}-${Date.now().toString(36)}`;
    const events = [completed('r1', store), completed('r2', store), completed('r3', store)];
    const published = await shared.http.send<{ partitionId: string; sequenceNumbers: number[] }>('POST', '/_eventhubs/cafe-events/messages', {
      partitionKey: store,
      events: [{ body: events[0] }, { body: 'not an event' }, { body: events[1] }, { body: events[2] }],
    });
    expect(published.status).toBe(201);
    const { partitionId, sequenceNumbers } = published.body;
    const [first, , , last] = sequenceNumbers as [number, number, number, number];

    // the range without its last event: r3 stays out
    const replay = await shared.http.send<Replayed>('POST', '/operations/replay', { partitionId, fromSequenceNumber: first, toSequenceNumber: last - 1 });

    expect(replay.status).toBe(202);
    expect(replay.body).toMatchObject({ partitionId, read: 3, replayed: 2, eventIds: ['r1.OrderCompleted', 'r2.OrderCompleted'] });
    expect(replay.body.skipped).toEqual([{ sequenceNumber: first + 1, reason: expect.any(String) }]);

    // appended again behind the originals, in order, and nothing else of the range
    const after = await readPartition(partitionId, last + 1, last + 100);
    const again = after.map((r) => JSON.parse(r.body) as { id?: string; storeId?: string }).filter((b) => b.storeId === store);
    expect(again.map((b) => b.id)).toEqual(['r1.OrderCompleted', 'r2.OrderCompleted']);
  });

  it('refuses a range that is reversed or too long, and a partition the hub does not have, changing nothing', async () => {
    const before = (await readPartition('0', 0, 999)).length;
    const reversed = await shared.http.send<{ errors?: unknown[] }>('POST', '/operations/replay', { partitionId: '0', fromSequenceNumber: 5, toSequenceNumber: 4 });
    expect(reversed.status).toBe(400);
    expect(reversed.headers.get('content-type')).toContain('application/problem+json');

    const tooLong = await shared.http.send('POST', '/operations/replay', { partitionId: '0', fromSequenceNumber: 0, toSequenceNumber: 1_000 });
    expect(tooLong.status).toBe(400);

    const extra = await shared.http.send('POST', '/operations/replay', { partitionId: '0', fromSequenceNumber: 0, toSequenceNumber: 1, consumer: 'x' });
    expect(extra.status).toBe(400);

    const unknown = await shared.http.send('POST', '/operations/replay', { partitionId: '99', fromSequenceNumber: 0, toSequenceNumber: 1 });
    expect(unknown.status).toBe(404);
    expect((await readPartition('0', 0, 999)).length).toBe(before);
  });

  it('answers 404 for a range past the end of the partition', async () => {
    const response = await shared.http.send('POST', '/operations/replay', { partitionId: '0', fromSequenceNumber: 1_000_000, toSequenceNumber: 1_000_010 });
    expect(response.status).toBe(404);
  });
});
