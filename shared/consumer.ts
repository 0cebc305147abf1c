import type { InvocationContext } from '@azure/functions';
import { isOrderEvent, type CafeEventType, type EventOf } from './events';
import { decodeBody as decode, eventFromBody, idOf, isKnownType, typeOf } from './eventDecoding';
import { groupBy } from './collections';
import type { DeadLetter } from './deadLetters';
import { parkEach, UNPARKED_PREFIX, type ParkingDeps } from './parking';
import { retryPending, type Backoff } from './backoff';
import { statusOf } from './tables';
import { SpanBatch, SpanKind, contextFromProperties } from './tracing';
import { businessMetrics } from './metrics';

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

export interface ConsumerDeps extends ParkingDeps {
  /** The retries inside one invocation; tests shorten them. */
  retries?: Partial<InvocationRetries>;
}

export interface InvocationRetries {
  /** Transient failures of the handler, retried for the failing events only. */
  handle: Backoff;
  /** Writes to the dead-letter table. */
  park: Backoff;
}

/**
 * At most about 30 s of handler retries and 45 s of parking retries per invocation, so even a batch
 * whose handler and dead-letter writes both hang on a storage outage ends well inside the 5 minute
 * function timeout (host.json), with every event accounted for.
 */
export const INVOCATION_RETRIES: InvocationRetries = {
  handle: { firstDelayMs: 250, maxDelayMs: 8_000, budgetMs: 30_000 },
  park: { firstDelayMs: 500, maxDelayMs: 8_000, budgetMs: 45_000 },
};

/** An error that no retry can cure (the event refers to something that does not exist, say). */
export class PermanentError extends Error {
  override name = 'PermanentError';
}

/** Permanent by nature, or storage rejected the data itself (a bad key, an entity too large). */
function isPermanent(failure: EventFailure): boolean {
  const status = statusOf(failure.error);
  return failure.permanent === true || failure.error instanceof PermanentError || status === 400 || status === 413;
}

interface Message {
  index: number;
  raw: unknown;
}

function metadataAt(context: InvocationContext, index: number): { sequenceNumber?: number; partitionId?: string } {
  const meta = context.triggerMetadata ?? {};
  const sequences = meta.sequenceNumberArray;
  const sequenceNumber = Array.isArray(sequences) && typeof sequences[index] === 'number' ? sequences[index] : undefined;
  const partition = meta.partitionContext as { partitionId?: unknown } | undefined;
  const partitionId = typeof partition?.partitionId === 'string' ? partition.partitionId : undefined;
  return { ...(sequenceNumber !== undefined ? { sequenceNumber } : {}), ...(partitionId ? { partitionId } : {}) };
}

/** The application properties of a message (on Azure and in the local host alike, from the trigger metadata). */
function propertiesAt(context: InvocationContext, index: number): unknown {
  const meta = context.triggerMetadata ?? {};
  if (Array.isArray(meta.propertiesArray)) return meta.propertiesArray[index];
  return index === 0 ? meta.properties : undefined;
}

function enqueuedAt(context: InvocationContext, index: number): number | undefined {
  const times = context.triggerMetadata?.enqueuedTimeUtcArray;
  const time = Array.isArray(times) ? times[index] : undefined;
  const at = typeof time === 'string' || time instanceof Date ? new Date(time).getTime() : NaN;
  return Number.isNaN(at) ? undefined : at;
}

/**
 * A span per event, the child of the trace the event carries (its order's), and one for the batch
 * linked to them all; and how long each event waited in the hub (the consumer lag metric).
 */
function observeBatch<T extends CafeEventType>(name: string, sorted: SortedBatch<T>, batchSize: number, context: InvocationContext, now: number): SpanBatch {
  const items = sorted.valid.map((event) => {
    const index = sorted.sources.get(event.id)!.index;
    const enqueued = enqueuedAt(context, index);
    if (enqueued !== undefined) businessMetrics.consumerLag(name, now - enqueued);
    return {
      key: event.id,
      // A store's event (StockLow) has no order: its span is looked up by its own id.
      orderId: isOrderEvent(event) ? event.orderId : event.id,
      name: `${name} ${event.type}`,
      parent: contextFromProperties(propertiesAt(context, index)),
      attributes: { 'cafe.event_id': event.id, 'cafe.event_type': event.type, 'cafe.store_id': event.storeId },
    };
  });
  return new SpanBatch(name, SpanKind.CONSUMER, items, { 'messaging.batch.message_count': batchSize, 'cafe.consumer': name });
}

/** A batch sorted by what is to be done with each event. */
interface SortedBatch<T extends CafeEventType> {
  valid: EventOf<T>[];
  sources: Map<string, Message>;
  rejected: { message: Message; error: unknown; value: unknown }[];
}

/** Valid events of accepted types go on; other known types are skipped, unknown ones skipped with a warning; invalid ones are rejected. */
function sortBatch<T extends CafeEventType>(
  batch: readonly Message[],
  accepted: ReadonlySet<string>,
  context: InvocationContext,
): SortedBatch<T> {
  const sorted: SortedBatch<T> = { valid: [], sources: new Map(), rejected: [] };
  for (const message of batch) {
    // Every consumer group reads every event, and most are of types the group skips: those are
    // skipped before the schema check (valid or not, a skipped type is skipped), which was most of
    // the parsing each event cost.
    const body = decode(message.raw);
    const type = typeOf(body);
    if (type && isKnownType(type) && !accepted.has(type)) continue;
    const decoded = eventFromBody(body);
    if (decoded.kind === 'unknown-type') {
      context.warn(`skipping unknown event type ${decoded.type} (id ${decoded.id ?? 'none'})`);
      continue;
    }
    if (decoded.kind === 'invalid') {
      sorted.rejected.push({ message, value: decoded.value, error: decoded.error });
      continue;
    }
    const event = decoded.event as EventOf<T>;
    if (sorted.sources.has(event.id)) continue; // the same event twice in one batch is applied once
    sorted.sources.set(event.id, message);
    sorted.valid.push(event);
  }
  return sorted;
}

/** One call of the handler; a handler that throws fails every event it was given. */
async function handleOnce<T extends CafeEventType>(spec: ConsumerSpec<T>, events: EventOf<T>[], context: InvocationContext): Promise<EventFailure[]> {
  if (events.length === 0) return [];
  try {
    const known = new Set(events.map((e) => e.id));
    return (await spec.handle(events, context)).filter((f) => known.has(f.eventId));
  } catch (error) {
    return events.map((event) => ({ eventId: event.id, error }));
  }
}

/**
 * Applies the events, then retries the ones that failed for a transient reason, and only those (the
 * handlers are idempotent), with backoff until they succeed or the budget is spent. Answers the
 * failures left: permanent ones at once, transient ones that outlasted the budget.
 */
async function handleWithRetries<T extends CafeEventType>(
  spec: ConsumerSpec<T>,
  events: EventOf<T>[],
  backoff: Backoff,
  context: InvocationContext,
): Promise<EventFailure[]> {
  const byId = new Map(events.map((e) => [e.id, e]));
  const permanent: EventFailure[] = [];
  const transient = await retryPending<EventFailure>(
    events.map((event) => ({ eventId: event.id, error: undefined })),
    backoff,
    async (pending) => {
      const failures = await handleOnce(spec, pending.map((p) => byId.get(p.eventId)!), context);
      permanent.push(...failures.filter(isPermanent));
      return failures.filter((f) => !isPermanent(f));
    },
    (pending, retry, delay) =>
      context.warn(`${spec.name}: ${pending.length} event(s) failed for a transient reason; retry ${retry} in ${delay} ms: ${describeError(pending[0]?.error)}`),
  );
  return [...permanent, ...transient];
}

const describeError = (error: unknown) => (error instanceof Error ? error.message : String(error));

/** What goes to the dead-letter table: rejected events and failures, each with its place in the hub. */
function lettersFor<T extends CafeEventType>(
  spec: ConsumerSpec<T>,
  sorted: SortedBatch<T>,
  failures: readonly EventFailure[],
  attempt: number,
  context: InvocationContext,
): DeadLetter[] {
  const letter = (message: Message | undefined, value: unknown, error: unknown, eventId?: string, eventType?: string): DeadLetter => ({
    consumer: spec.name,
    payload: value ?? message?.raw,
    error,
    attempt,
    ...(eventId ? { eventId } : {}),
    ...(eventType ? { eventType } : {}),
    ...(message ? metadataAt(context, message.index) : {}),
  });
  const byId = new Map(sorted.valid.map((event) => [event.id, event]));
  return [
    ...sorted.rejected.map(({ message, error, value }) => letter(message, value, error, idOf(value), typeOf(value))),
    ...failures.map((f) => letter(sorted.sources.get(f.eventId), byId.get(f.eventId), f.error, f.eventId, byId.get(f.eventId)?.type)),
  ];
}

/** Every message of the batch, for the case the runner itself fails and cannot say which were done. */
function lettersForAll(name: string, batch: readonly Message[], error: unknown, attempt: number, context: InvocationContext): DeadLetter[] {
  return batch.map((message) => {
    const value = decode(message.raw);
    const eventId = idOf(value);
    const eventType = typeOf(value);
    return {
      consumer: name,
      payload: value,
      error,
      attempt,
      ...(eventId ? { eventId } : {}),
      ...(eventType ? { eventType } : {}),
      ...metadataAt(context, message.index),
    };
  });
}

export class UnparkedEventsError extends Error {
  override name = 'UnparkedEventsError';
}

/**
 * Every event of a batch ends handled (or skipped), dead-lettered, or logged as unparked; the runner
 * does not leave it to the host to run a batch again. On Azure the trigger checkpoints a batch once
 * the invocation ends, thrown or not, and also when the host stops between two of its retries (a
 * scale-in, a deployment): a batch that only a host retry would have saved is then lost without a
 * trace. So transient failures are retried inside the invocation (bounded, see INVOCATION_RETRIES)
 * and then parked, and parking is retried too; what still cannot be parked is logged at error level
 * with its partition and sequence number, for `POST /operations/replay`, before anything else can
 * happen to the batch. Only then, if some event is unparked, does the invocation throw: the host's
 * retry policy (shared/retry.ts) is an extra chance to handle or park it, never the only one.
 */
export function eventHubConsumer<T extends CafeEventType>(spec: ConsumerSpec<T>, deps: ConsumerDeps) {
  const accepted = new Set<string>(spec.accepts);
  const retries = { ...INVOCATION_RETRIES, ...deps.retries };

  return async function consumeBatch(messages: unknown, context: InvocationContext): Promise<void> {
    const batch: Message[] = (Array.isArray(messages) ? messages : [messages]).map((raw, index) => ({ index, raw }));
    const attempt = (context.retryContext?.retryCount ?? 0) + 1;
    let letters: DeadLetter[];
    let spans: SpanBatch | undefined;
    try {
      const sorted = sortBatch<T>(batch, accepted, context);
      spans = observeBatch(spec.name, sorted, batch.length, context, deps.now().getTime());
      const observed = spans;
      const failures = await observed.run(() => handleWithRetries(spec, sorted.valid, retries.handle, context));
      for (const failure of failures) observed.fail(failure.eventId, failure.error);
      letters = lettersFor(spec, sorted, failures, attempt, context);
    } catch (error) {
      // Not an event's failure but the runner's own: which events were applied is unknown, so all are
      // parked (or logged); applying them again is harmless.
      context.error(`${spec.name}: the consumer runner failed on attempt ${attempt}: ${describeError(error)}`);
      spans?.failAll(error);
      letters = lettersForAll(spec.name, batch, error, attempt, context);
    }
    try {
      if (letters.length === 0) return;
      const unparked = await parkEach(deps, letters, retries.park, context);
      if (unparked.length > 0) {
        throw new UnparkedEventsError(`${spec.name}: ${unparked.length} event(s) could neither be applied nor dead-lettered; each is logged as "${UNPARKED_PREFIX}"`);
      }
    } finally {
      spans?.end();
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
