import type { InvocationContext } from '@azure/functions';
import type { TableClient } from '@azure/data-tables';
import { CafeEvent, EVENT_TYPES, type CafeEventType, type EventOf } from './events';
import { groupBy } from './collections';
import { deadLetter, type DeadLetter } from './deadLetters';
import { statusOf } from './tables';

/** An event the service could not apply. Permanent failures are parked at once; others are retried. */
export interface EventFailure {
  eventId: string;
  error: unknown;
  permanent?: boolean;
}

export interface ConsumerSpec<T extends CafeEventType> {
  /** The function name; also the dead-letter partition. */
  name: string;
  accepts: readonly T[];
  /** Applies a batch idempotently and reports the events it could not apply. */
  handle(events: EventOf<T>[], context: InvocationContext): Promise<EventFailure[]>;
}

export interface ConsumerDeps {
  deadLetters: () => Promise<TableClient>;
  now: () => Date;
}

/** An error that no retry can cure (the event refers to something that does not exist, say). */
export class PermanentError extends Error {
  override name = 'PermanentError';
}

/** Permanent by nature, or storage rejected the data itself (a bad key, an entity too large). */
function isPermanent(failure: EventFailure): boolean {
  const status = statusOf(failure.error);
  return failure.permanent === true || failure.error instanceof PermanentError || status === 400 || status === 413;
}

const DEAD_LETTER_DELAYS_MS = [500, 1_000, 2_000, 4_000, 8_000, 15_000, 30_000];

/**
 * Parking an event is the last thing standing between it and loss, and it goes to the same storage
 * that may just have failed: so it is retried for about a minute, holding the partition, and if it
 * still fails the whole event is written to the log before the invocation gives up.
 */
async function park(deps: ConsumerDeps, letter: DeadLetter, context: InvocationContext): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      await deadLetter(await deps.deadLetters(), letter, deps.now());
      return;
    } catch (error) {
      const delay = DEAD_LETTER_DELAYS_MS[attempt];
      if (delay === undefined) {
        context.error(`could not dead-letter event ${letter.eventId ?? 'unknown'} of ${letter.consumer}; its payload: ${JSON.stringify(letter.payload)}`, error);
        throw error;
      }
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }
}

interface Message {
  index: number;
  raw: unknown;
}

function decode(raw: unknown): unknown {
  const text = Buffer.isBuffer(raw) ? raw.toString('utf8') : raw;
  if (typeof text !== 'string') return text;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function typeOf(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const type = (value as { type?: unknown }).type;
  return typeof type === 'string' ? type : undefined;
}

function idOf(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const id = (value as { id?: unknown }).id;
  return typeof id === 'string' ? id : undefined;
}

function metadataAt(context: InvocationContext, index: number): { sequenceNumber?: number; partitionId?: string } {
  const meta = context.triggerMetadata ?? {};
  const sequences = meta.sequenceNumberArray;
  const sequenceNumber = Array.isArray(sequences) && typeof sequences[index] === 'number' ? sequences[index] : undefined;
  const partition = meta.partitionContext as { partitionId?: unknown } | undefined;
  const partitionId = typeof partition?.partitionId === 'string' ? partition.partitionId : undefined;
  return { ...(sequenceNumber !== undefined ? { sequenceNumber } : {}), ...(partitionId ? { partitionId } : {}) };
}

/**
 * The Event Hubs trigger checkpoints a batch once the invocation ends, thrown or not, and reruns it
 * only within the function's retry policy. So every event is judged on its own: invalid ones are
 * dead-lettered at once, unknown types are skipped, and events that failed for a transient reason make
 * the invocation throw while retries remain (the whole batch reruns; handlers are idempotent) and are
 * dead-lettered on the last attempt, so nothing is dropped silently and no partition is blocked.
 */
export function eventHubConsumer<T extends CafeEventType>(spec: ConsumerSpec<T>, deps: ConsumerDeps) {
  const accepted = new Set<string>(spec.accepts);
  const known = new Set<string>(EVENT_TYPES);

  return async function consumeBatch(messages: unknown, context: InvocationContext): Promise<void> {
    const batch: Message[] = (Array.isArray(messages) ? messages : [messages]).map((raw, index) => ({ index, raw }));
    const retry = context.retryContext;
    const attempt = (retry?.retryCount ?? 0) + 1;
    const lastAttempt = !retry || retry.retryCount >= retry.maxRetryCount;

    const valid: EventOf<T>[] = [];
    const sources = new Map<string, Message>();
    const rejected: { message: Message; error: unknown; value: unknown }[] = [];

    for (const message of batch) {
      const value = decode(message.raw);
      const type = typeOf(value);
      if (type && known.has(type) && !accepted.has(type)) continue;
      if (type && !known.has(type)) {
        context.warn(`skipping unknown event type ${type} (id ${idOf(value) ?? 'none'})`);
        continue;
      }
      const parsed = CafeEvent.safeParse(value);
      if (!parsed.success) {
        rejected.push({ message, value, error: new Error(`invalid event: ${parsed.error.message}`) });
        continue;
      }
      const event = parsed.data as EventOf<T>;
      if (sources.has(event.id)) continue; // the same event twice in one batch is applied once
      sources.set(event.id, message);
      valid.push(event);
    }

    let failures: EventFailure[] = [];
    if (valid.length > 0) {
      try {
        failures = await spec.handle(valid, context);
      } catch (error) {
        failures = valid.map((event) => ({ eventId: event.id, error }));
      }
    }

    const transient = failures.filter((f) => !isPermanent(f));
    if (transient.length > 0 && !lastAttempt) {
      const first = transient[0]?.error;
      context.warn(`${spec.name}: ${transient.length} event(s) failed on attempt ${attempt}; the batch will be retried`);
      throw new AggregateError(transient.map((f) => f.error), `${transient.length} event(s) failed`, { cause: first });
    }

    const byId = new Map(valid.map((event) => [event.id, event]));
    const parked = [
      ...rejected.map(({ message, error, value }) => ({ message, error, value, eventId: idOf(value), eventType: typeOf(value) })),
      ...failures.map((f) => {
        const event = byId.get(f.eventId);
        return { message: sources.get(f.eventId), error: f.error, value: event, eventId: f.eventId, eventType: event?.type };
      }),
    ];
    if (parked.length === 0) return;

    for (const p of parked) {
      const meta = p.message ? metadataAt(context, p.message.index) : {};
      await park(
        deps,
        {
          consumer: spec.name,
          payload: p.value ?? p.message?.raw,
          error: p.error,
          attempt,
          ...(p.eventId ? { eventId: p.eventId } : {}),
          ...(p.eventType ? { eventType: p.eventType } : {}),
          ...meta,
        },
        context,
      );
      context.error(
        `dead-lettered consumer=${spec.name} eventId=${p.eventId ?? 'unknown'} eventType=${p.eventType ?? 'unknown'}` +
          ` sequenceNumber=${meta.sequenceNumber ?? 'unknown'}: ${p.error instanceof Error ? p.error.message : String(p.error)}`,
      );
    }
  };
}

/** Applies events one by one, isolating failures; for services whose work is per order. */
export async function eachEvent<E extends { id: string }>(
  events: readonly E[],
  apply: (event: E) => Promise<void>,
): Promise<EventFailure[]> {
  const failures: EventFailure[] = [];
  for (const event of events) {
    try {
      await apply(event);
    } catch (error) {
      failures.push({ eventId: event.id, error });
    }
  }
  return failures;
}

/**
 * Applies a batch one order at a time, in arrival order within each order, so a service can fold an
 * order's events into one read and one write; a failure fails that order's events only.
 */
export async function eachOrder<E extends { id: string; orderId: string }>(
  events: readonly E[],
  apply: (orderId: string, events: E[]) => Promise<void>,
): Promise<EventFailure[]> {
  const failures: EventFailure[] = [];
  for (const [orderId, ofOrder] of groupBy(events, (event) => event.orderId)) {
    try {
      await apply(orderId, ofOrder);
    } catch (error) {
      failures.push(...ofOrder.map((event) => ({ eventId: event.id, error })));
    }
  }
  return failures;
}
