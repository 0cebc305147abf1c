import type { TableClient } from '@azure/data-tables';
import { describe, expect, it } from 'vitest';
import { eventHubConsumer, type ConsumerDeps, type InvocationRetries } from '../../shared/consumer';
import { consumerDeps } from '../../shared/deps';
import { makeEvent, type OrderCompleted } from '../../shared/events';
import { listAll } from '../../shared/tables';
import { TABLES } from '../../shared/topology';
import { firstAttempt, invocationContext, lastAttempt, type CapturedLog } from '../support/context';
import { testDeps } from '../support/deps';

const completed = (orderId: string): OrderCompleted =>
  makeEvent('OrderCompleted', { orderId, storeId: 'main', occurredAt: '2026-11-25T10:00:00.000Z', customerId: 'c-1' });

/** Retries inside the invocation, shortened so a test does not wait out the production budgets. */
const QUICK_RETRIES: InvocationRetries = {
  handle: { firstDelayMs: 2, maxDelayMs: 20, budgetMs: 200 },
  park: { firstDelayMs: 2, maxDelayMs: 50, budgetMs: 1_000 },
};

function consumer(
  deps: ReturnType<typeof testDeps>,
  handle: (events: OrderCompleted[]) => Promise<{ eventId: string; error: unknown; permanent?: boolean }[]>,
  overrides: Partial<ConsumerDeps> = {},
) {
  const seen: string[][] = [];
  const run = eventHubConsumer<'OrderCompleted'>(
    { name: 'testConsumer', accepts: ['OrderCompleted'], handle: async (events) => (seen.push(events.map((e) => e.id)), handle(events)) },
    { ...consumerDeps(deps), retries: QUICK_RETRIES, ...overrides },
  );
  return { run, seen };
}

/** The fields of each `unparked event` line, parsed with one pattern as an operator's query would. */
function unparkedLines(logs: CapturedLog[]) {
  return logs
    .filter((l) => l.level === 'error' && l.message.startsWith('unparked event'))
    .map((l) => /^unparked event consumer=(\S+) partitionId=(\S+) sequenceNumber=(\S+) eventId=(\S+) eventType=(\S+): /.exec(l.message))
    .map((m) => (m ? { consumer: m[1], partitionId: m[2], sequenceNumber: m[3], eventId: m[4] } : 'unparseable'));
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

  it('retries a transient failure inside the invocation and applies the event once it clears, without throwing', async () => {
    const deps = testDeps();
    let failuresLeft = 2;
    const { run, seen } = consumer(deps, async (events) =>
      events.some((e) => e.id === 'o1.OrderCompleted') && failuresLeft-- > 0 ? [{ eventId: 'o1.OrderCompleted', error: new Error('table storage timed out') }] : [],
    );
    const { context, logs } = invocationContext({ retryContext: firstAttempt() });
    await run([completed('o1'), completed('o2')], context);

    // the first call had both events, the retries only the one that failed
    expect(seen).toEqual([['o1.OrderCompleted', 'o2.OrderCompleted'], ['o1.OrderCompleted'], ['o1.OrderCompleted']]);
    expect(await deadLetters(deps)).toEqual([]);
    expect(logs.filter((l) => l.level === 'error')).toEqual([]);
  });

  it('dead-letters an event that still fails when the retries inside the invocation are spent, on any attempt of the host', async () => {
    const deps = testDeps();
    const { run } = consumer(deps, async (events) => (events.some((e) => e.id === 'o1.OrderCompleted') ? [{ eventId: 'o1.OrderCompleted', error: new Error('table storage timed out') }] : []));
    await run([completed('o1'), completed('o2')], invocationContext({ retryContext: firstAttempt() }).context);
    const parked = await deadLetters(deps);
    expect(parked.map((p) => p.eventId)).toEqual(['o1.OrderCompleted']);
    expect(JSON.parse(parked[0]!.payload)).toMatchObject({ type: 'OrderCompleted', orderId: 'o1' });
    expect(parked[0]!.error).toContain('table storage timed out');
  });

  it('on the last attempt, with the dead-letter table down, logs every unparkable event with its partition, sequence number and id, and handles the rest', async () => {
    const deps = testDeps();
    const storeDown = async (): Promise<never> => {
      throw Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
    };
    const { run, seen } = consumer(
      deps,
      async (events) =>
        events.flatMap((e) =>
          e.orderId === 'o1' ? [{ eventId: e.id, error: new Error('order does not exist'), permanent: true }] : e.orderId === 'o3' ? [{ eventId: e.id, error: new Error('timed out') }] : [],
        ),
      { deadLetters: storeDown },
    );
    const { context, logs } = invocationContext({
      retryContext: lastAttempt(),
      triggerMetadata: { sequenceNumberArray: [40, 41, 42, 43, 44], partitionContext: { partitionId: '3' } },
    });

    await expect(run([completed('o1'), completed('o2'), completed('o3'), { type: 'OrderCompleted', id: 'broken', version: 1 }, completed('o5')], context)).rejects.toThrow(
      /3 event\(s\) could neither be applied nor dead-lettered/,
    );

    expect(seen[0]).toEqual(['o1.OrderCompleted', 'o2.OrderCompleted', 'o3.OrderCompleted', 'o5.OrderCompleted']);
    expect(unparkedLines(logs)).toEqual(
      expect.arrayContaining([
        { consumer: 'testConsumer', partitionId: '3', sequenceNumber: '40', eventId: 'o1.OrderCompleted' },
        { consumer: 'testConsumer', partitionId: '3', sequenceNumber: '42', eventId: 'o3.OrderCompleted' },
        { consumer: 'testConsumer', partitionId: '3', sequenceNumber: '43', eventId: 'broken' },
      ]),
    );
    expect(unparkedLines(logs)).toHaveLength(3);
  });

  it('parks each event on its own: a dead-letter write that fails for one event leaves the others parked', async () => {
    const deps = testDeps();
    const real = consumerDeps(deps).deadLetters;
    // a table that refuses one row (as an outage that clears mid-batch would), and takes the others
    const refusingO1 = async (): Promise<TableClient> => {
      const client = await real();
      return new Proxy(client, {
        get(target, property, receiver) {
          if (property !== 'upsertEntity' && property !== 'createEntity') return Reflect.get(target, property, receiver) as unknown;
          const write = (Reflect.get(target, property, receiver) as (...args: unknown[]) => Promise<unknown>).bind(target);
          return (entity: Parameters<TableClient['upsertEntity']>[0], ...rest: unknown[]) =>
            (entity as { eventId?: unknown }).eventId === 'o1.OrderCompleted' ? Promise.reject(new Error('service unavailable')) : write(entity, ...rest);
        },
      });
    };
    const { run } = consumer(deps, async (events) => events.map((e) => ({ eventId: e.id, error: new Error('order does not exist'), permanent: true })), {
      deadLetters: refusingO1,
    });
    const { context, logs } = invocationContext({
      retryContext: lastAttempt(),
      triggerMetadata: { sequenceNumberArray: [7, 8, 9], partitionContext: { partitionId: '1' } },
    });

    await expect(run([completed('o1'), completed('o2'), completed('o3')], context)).rejects.toThrow(/1 event\(s\)/);

    expect((await deadLetters(deps)).map((p) => [p.eventId, p.sequenceNumber]).sort()).toEqual([
      ['o2.OrderCompleted', 8],
      ['o3.OrderCompleted', 9],
    ]);
    expect(unparkedLines(logs)).toEqual([{ consumer: 'testConsumer', partitionId: '1', sequenceNumber: '7', eventId: 'o1.OrderCompleted' }]);
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

  it('refuses (410) to replay the dead letter of an order older than the retention, and publishes nothing', async () => {
    const { createDeadLetterApi } = await import('../../functions/operations/deadLetters');
    const { HttpRequest } = await import('@azure/functions');
    const { withProblems } = await import('../../shared/http');
    const { newOrderId } = await import('../../shared/identifiers');
    const deps = testDeps({ retentionDays: 30 });
    const old = newOrderId(new Date(Date.now() - 31 * 86_400_000));
    const { run } = consumer(deps, async (events) => [{ eventId: events[0]!.id, error: new Error('boom'), permanent: true }]);
    await run([completed(old)], invocationContext({ retryContext: lastAttempt() }).context);
    const [parked] = await deadLetters(deps);
    const response = await withProblems(createDeadLetterApi(deps).replayDeadLetter)(
      new HttpRequest({ method: 'POST', url: 'http://localhost/deadletters/x/y/replay', params: { consumer: 'testConsumer', key: (parked as unknown as { rowKey: string }).rowKey } }),
      invocationContext().context,
    );
    expect(response.status).toBe(410);
    expect(JSON.parse(String(response.body))).toMatchObject({ type: expect.stringContaining('expired') });
    expect(deps.publisher.published).toEqual([]);
  });
});
