import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import { z } from 'zod';
import { CafeEvent } from '../../shared/events';
import { UnknownPartitionError, type EventReader, type HubEvent } from '../../shared/eventReader';
import { json, notFound, parseJsonBody } from '../../shared/http';
import type { EventPublisher } from '../../shared/publisher';

/** One replay reads and publishes at most this many events, so it ends well inside an HTTP request. */
export const MAX_REPLAY_EVENTS = 1_000;

const SequenceNumber = z.int().min(0);

export const ReplayRange = z
  .strictObject({
    partitionId: z.string().regex(/^\d{1,4}$/, 'a partition id, such as "0"'),
    fromSequenceNumber: SequenceNumber,
    toSequenceNumber: SequenceNumber,
  })
  .superRefine((range, ctx) => {
    if (range.toSequenceNumber < range.fromSequenceNumber) {
      ctx.addIssue({ code: 'custom', path: ['toSequenceNumber'], message: 'must not be below fromSequenceNumber' });
    } else if (range.toSequenceNumber - range.fromSequenceNumber + 1 > MAX_REPLAY_EVENTS) {
      ctx.addIssue({ code: 'custom', path: ['toSequenceNumber'], message: `a range holds at most ${MAX_REPLAY_EVENTS} events` });
    }
  });

export interface ReplayDeps {
  reader: EventReader;
  publisher: EventPublisher;
}

const Skipped = z.object({ sequenceNumber: z.int(), eventId: z.string().optional(), reason: z.string() });
type Skipped = z.infer<typeof Skipped>;

/** What `POST /operations/replay` answers: the range, and what was published again or skipped. */
export const ReplayAnswer = z
  .object({
    partitionId: z.string(),
    fromSequenceNumber: z.int(),
    toSequenceNumber: z.int(),
    read: z.int(),
    replayed: z.int(),
    eventIds: z.array(z.string()),
    skipped: z.array(Skipped),
  })
  .meta({ id: 'ReplayAnswer' });

function idOf(body: unknown): string | undefined {
  const id = typeof body === 'object' && body !== null ? (body as { id?: unknown }).id : undefined;
  return typeof id === 'string' ? id : undefined;
}

/** Which events of the range can be published again, and why the others cannot. */
export function sortForReplay(events: readonly HubEvent[]): { replay: CafeEvent[]; skipped: Skipped[] } {
  const replay: CafeEvent[] = [];
  const skipped: Skipped[] = [];
  const seen = new Set<string>();
  for (const { sequenceNumber, body } of events) {
    const parsed = CafeEvent.safeParse(body);
    const eventId = idOf(body);
    if (!parsed.success) {
      skipped.push({ sequenceNumber, ...(eventId ? { eventId } : {}), reason: 'not a valid event of this version' });
    } else if (seen.has(parsed.data.id)) {
      skipped.push({ sequenceNumber, eventId: parsed.data.id, reason: 'the same event is earlier in the range' });
    } else {
      seen.add(parsed.data.id);
      replay.push(parsed.data);
    }
  }
  return { replay, skipped };
}

/**
 * The way back for events logged as `unparked event` (neither processed nor dead-lettered): read that
 * range of the partition from the hub and publish its events again. Every consumer is idempotent, so
 * the ones that had applied an event already change nothing.
 */
export function createReplayApi(deps: ReplayDeps) {
  return {
    async replayRange(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
      const range = await parseJsonBody(request, ReplayRange);
      let events: HubEvent[];
      try {
        events = await deps.reader.read(range.partitionId, range.fromSequenceNumber, range.toSequenceNumber);
      } catch (error) {
        if (error instanceof UnknownPartitionError) throw notFound(error.message);
        throw error;
      }
      if (events.length === 0) {
        throw notFound(
          `Partition ${range.partitionId} holds no events from ${range.fromSequenceNumber} to ${range.toSequenceNumber}: the range is past its end or older than the hub's retention.`,
        );
      }
      const { replay, skipped } = sortForReplay(events);
      if (replay.length > 0) await deps.publisher.publish(replay);
      context.log(
        `replayed partitionId=${range.partitionId} sequenceNumbers=${range.fromSequenceNumber}..${range.toSequenceNumber} read=${events.length} published=${replay.length} skipped=${skipped.length}`,
      );
      return json(202, { ...range, read: events.length, replayed: replay.length, eventIds: replay.map((e) => e.id), skipped } satisfies z.infer<typeof ReplayAnswer>);
    },
  };
}
