import { describe, expect, it } from 'vitest';
import { eventHubConsumer } from '../../shared/consumer';
import { consumerDeps } from '../../shared/deps';
import { makeEvent, type OrderCompleted } from '../../shared/events';
import { listAll } from '../../shared/tables';
import { TABLES } from '../../shared/topology';
import { firstAttempt, invocationContext, lastAttempt } from '../support/context';
import { testDeps } from '../support/deps';

const completed = (orderId: string): OrderCompleted =>
  makeEvent('OrderCompleted', { orderId, storeId: 'main', occurredAt: '2026-11-25T10:00:00.000Z', customerId: 'c-1' });

function consumer(deps: ReturnType<typeof testDeps>, handle: (events: OrderCompleted[]) => Promise<{ eventId: string; error: unknown; permanent?: boolean }[]>) {
  const seen: string[][] = [];
  const run = eventHubConsumer<'OrderCompleted'>(
    { name: 'testConsumer', accepts: ['OrderCompleted'], handle: async (events) => (seen.push(events.map((e) => e.id)), handle(events)) },
    consumerDeps(deps),
  );
  return { run, seen };
}

async function deadLetters(deps: ReturnType<typeof testDeps>) {
  return listAll<{ eventId: string; eventType: string; error: string; payload: string; sequenceNumber: number }>(await deps.table(TABLES.deadLetters), '');
}

describe('an Event Hubs consumer batch', () => {
  it('passes valid events on, skips other types and unknown types, and parks invalid ones', async () => {
    const deps = testDeps();
    const { run, seen } = consumer(deps, async () => []);
    const { context, logs } = invocationContext({ retryContext: firstAttempt(), triggerMetadata: { sequenceNumberArray: [10, 11, 12, 13, 14], partitionContext: { partitionId: '2' } } });
    const other = makeEvent('BeverageCompleted', { orderId: 'o2', storeId: 'main', occurredAt: '2026-11-25T10:00:00.000Z' });
    await run([completed('o1'), other, { type: 'LoyaltyPointsAdded', id: 'x' }, { type: 'OrderCompleted', id: 'broken', version: 1 }, 'not json at all'], context);

    expect(seen).toEqual([['o1.OrderCompleted']]);
    const parked = await deadLetters(deps);
    expect(parked.map((p) => [p.eventId, p.sequenceNumber]).sort()).toEqual([['', 14], ['broken', 13]]);
    expect(parked.find((p) => p.eventId === 'broken')?.error).toMatch(/invalid event/);
    expect(logs.some((l) => l.message.includes('skipping unknown event type LoyaltyPointsAdded'))).toBe(true);
    expect(logs.filter((l) => l.level === 'error' && l.message.startsWith('dead-lettered'))).toHaveLength(2);
  });

  it('applies the same event twice in one batch once', async () => {
    const deps = testDeps();
    const { run, seen } = consumer(deps, async () => []);
    await run([completed('o1'), completed('o1')], invocationContext({ retryContext: firstAttempt() }).context);
    expect(seen).toEqual([['o1.OrderCompleted']]);
  });

  it('throws on a transient failure while retries remain, so the host reruns the batch', async () => {
    const deps = testDeps();
    const { run } = consumer(deps, async (events) => [{ eventId: events[0]!.id, error: new Error('table storage timed out') }]);
    await expect(run([completed('o1')], invocationContext({ retryContext: firstAttempt() }).context)).rejects.toThrow(/1 event\(s\) failed/);
    expect(await deadLetters(deps)).toEqual([]);
  });

  it('dead-letters an event that still fails on the last attempt instead of dropping it', async () => {
    const deps = testDeps();
    const { run } = consumer(deps, async (events) => [{ eventId: events[0]!.id, error: new Error('table storage timed out') }]);
    await run([completed('o1'), completed('o2')], invocationContext({ retryContext: lastAttempt() }).context);
    const parked = await deadLetters(deps);
    expect(parked.map((p) => p.eventId)).toEqual(['o1.OrderCompleted']);
    expect(JSON.parse(parked[0]!.payload)).toMatchObject({ type: 'OrderCompleted', orderId: 'o1' });
    expect(parked[0]!.error).toContain('table storage timed out');
  });

  it('parks a permanent failure at once, without a retry', async () => {
    const deps = testDeps();
    const { run } = consumer(deps, async (events) => [{ eventId: events[0]!.id, error: new Error('order does not exist'), permanent: true }]);
    await run([completed('o1')], invocationContext({ retryContext: firstAttempt() }).context);
    expect((await deadLetters(deps)).map((p) => p.eventId)).toEqual(['o1.OrderCompleted']);
  });

  it('parks at once an event that storage rejects as invalid, since a retry cannot help', async () => {
    const deps = testDeps();
    const rejected = Object.assign(new Error('InvalidInput'), { statusCode: 400 });
    const { run } = consumer(deps, async (events) => [{ eventId: events[0]!.id, error: rejected }]);
    await run([completed('o1')], invocationContext({ retryContext: firstAttempt() }).context);
    expect((await deadLetters(deps)).map((p) => p.eventId)).toEqual(['o1.OrderCompleted']);
  });

  it('parks the same failing event once however often its batch is redelivered', async () => {
    const deps = testDeps();
    const { run } = consumer(deps, async (events) => [{ eventId: events[0]!.id, error: new Error('boom'), permanent: true }]);
    for (let i = 0; i < 3; i++) await run([completed('o1')], invocationContext({ retryContext: lastAttempt() }).context);
    expect(await deadLetters(deps)).toHaveLength(1);
  });
});

describe('replaying a dead letter', () => {
  it('lists the parked event and publishes it again once the cause is fixed', async () => {
    const { createDeadLetterApi } = await import('../../functions/operations/deadLetters');
    const { HttpRequest } = await import('@azure/functions');
    const deps = testDeps();
    const { run } = consumer(deps, async (events) => [{ eventId: events[0]!.id, error: new Error('notifications table unreachable') }]);
    await run([completed('o7')], invocationContext({ retryContext: lastAttempt() }).context);

    const api = createDeadLetterApi(deps);
    const listed = JSON.parse(String((await api.listDeadLetters(new HttpRequest({ method: 'GET', url: 'http://localhost/deadletters?consumer=testConsumer' }))).body));
    expect(listed).toEqual([expect.objectContaining({ consumer: 'testConsumer', eventId: 'o7.OrderCompleted', eventType: 'OrderCompleted', error: expect.stringContaining('unreachable') })]);

    const replay = await api.replayDeadLetter(
      new HttpRequest({ method: 'POST', url: 'http://localhost/deadletters/x/y/replay', params: { consumer: 'testConsumer', key: listed[0].key } }),
      invocationContext().context,
    );
    expect(replay.status).toBe(202);
    expect(deps.publisher.published).toEqual([expect.objectContaining({ id: 'o7.OrderCompleted', type: 'OrderCompleted' })]);
    expect(JSON.parse(String(replay.body)).replayedAt).toEqual(expect.any(String));
  });

  it('refuses to replay a payload that is not a valid event', async () => {
    const { createDeadLetterApi } = await import('../../functions/operations/deadLetters');
    const { HttpRequest } = await import('@azure/functions');
    const { withProblems } = await import('../../shared/http');
    const deps = testDeps();
    const { run } = consumer(deps, async () => []);
    await run(['not json at all'], invocationContext({ retryContext: firstAttempt() }).context);
    const [parked] = await deadLetters(deps);
    const response = await withProblems(createDeadLetterApi(deps).replayDeadLetter)(
      new HttpRequest({ method: 'POST', url: 'http://localhost/deadletters/x/y/replay', params: { consumer: 'testConsumer', key: (parked as unknown as { rowKey: string }).rowKey } }),
      invocationContext().context,
    );
    expect(response.status).toBe(422);
    expect(deps.publisher.published).toEqual([]);
  });
});
