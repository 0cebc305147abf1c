import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import type { TableEntityResult } from '@azure/data-tables';
import { z } from 'zod';
import type { ServiceDeps } from '../../shared/deps';
import { CafeEvent, isOrderEvent } from '../../shared/events';
import { json, notFound, parseWith, pathId, problem, queryObject } from '../../shared/http';
import { getOrUndefined, odata } from '../../shared/tables';
import { Cursor, listPage, nextLink } from '../../shared/paging';
import { TABLES } from '../../shared/topology';
import { ListLimit } from '../../shared/identifiers';
import { orderTime } from '../../shared/identifiers';
import { expiredOrder } from '../../shared/retention';

interface DeadLetterRow {
  eventId: string;
  eventType: string;
  error: string;
  payload: string;
  sequenceNumber: number;
  partitionId: string;
  attempt: number;
  deadLetteredAt: string;
  replayedAt?: string;
}

export const Consumer = z.string().regex(/^[A-Za-z][A-Za-z0-9]{0,63}$/);
export const Key = z.string().regex(/^[a-f0-9]{64}$/);
export const Query = z.strictObject({
  consumer: Consumer.optional(),
  limit: ListLimit,
  cursor: Cursor,
});

/** An event no consumer could process, as the operator sees it. */
export const DeadLetter = z
  .object({
    consumer: z.string(),
    key: z.string().meta({ description: 'Names the dead letter within its consumer (for the replay route).' }),
    eventId: z.string().optional(),
    eventType: z.string().optional(),
    error: z.string(),
    sequenceNumber: z.int().optional(),
    partitionId: z.string().optional(),
    attempt: z.int(),
    deadLetteredAt: z.iso.datetime(),
    replayedAt: z.iso.datetime().optional(),
    payload: z.string().meta({ description: 'The event body as it arrived (JSON text).' }),
  })
  .meta({ id: 'DeadLetter' });

const view = (row: TableEntityResult<DeadLetterRow>): z.infer<typeof DeadLetter> => ({
  consumer: row.partitionKey!,
  key: row.rowKey!,
  eventId: row.eventId || undefined,
  eventType: row.eventType || undefined,
  error: row.error,
  sequenceNumber: row.sequenceNumber >= 0 ? row.sequenceNumber : undefined,
  partitionId: row.partitionId || undefined,
  attempt: row.attempt,
  deadLetteredAt: row.deadLetteredAt,
  replayedAt: row.replayedAt,
  payload: row.payload,
});

/**
 * The operator's view of events no consumer could process, and the way back once the cause is
 * fixed: replaying publishes the event again. Every consumer is idempotent, so the ones that had
 * already applied it change nothing.
 */
export function createDeadLetterApi(deps: ServiceDeps) {
  const table = () => deps.table(TABLES.deadLetters);
  return {
    async listDeadLetters(request: HttpRequest): Promise<HttpResponseInit> {
      const q = parseWith(Query, queryObject(request), 'query');
      // A page at a time (keys are hashes, so pages are in no particular order; each is newest first).
      const page = await listPage<DeadLetterRow>(await table(), q.consumer ? odata`PartitionKey eq ${q.consumer}` : '', q.limit, q.cursor);
      const newestFirst = page.rows.map(view).sort((a, b) => b.deadLetteredAt.localeCompare(a.deadLetteredAt));
      return json(200, newestFirst, nextLink(request, page.next));
    },

    async replayDeadLetter(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
      const consumer = pathId(Consumer, request.params.consumer, 'dead letter of consumer');
      const key = pathId(Key, request.params.key, 'dead letter');
      const client = await table();
      const row = await getOrUndefined<DeadLetterRow>(client, consumer, key);
      if (!row) throw notFound(`There is no dead letter ${key} for ${consumer}.`);
      let payload: unknown;
      try {
        payload = JSON.parse(row.payload);
      } catch {
        payload = undefined;
      }
      const event = CafeEvent.safeParse(payload);
      if (!event.success) {
        throw problem(422, 'not-replayable', 'Not replayable', 'The dead-lettered payload is not a valid event of this version; it cannot be published again.');
      }
      // A store event (StockLow) belongs to no order, so no order's retention applies to it.
      if (isOrderEvent(event.data) && expiredOrder(orderTime(event.data.orderId), deps.now(), deps.settings.retentionDays)) {
        // The order's records are gone (or going) with the retention: replaying would rebuild a fragment.
        throw problem(410, 'expired', 'Order expired', `Order ${event.data.orderId} is older than the retention (${deps.settings.retentionDays} days); its dead letter is not replayed.`);
      }
      await deps.publisher.publish([event.data]);
      const replayedAt = deps.now().toISOString();
      await client.updateEntity({ partitionKey: consumer, rowKey: key, replayedAt }, 'Merge', { etag: row.etag });
      context.log(`replayed dead letter consumer=${consumer} eventId=${event.data.id}`);
      return json(202, { ...view({ ...row, replayedAt }), replayedAt });
    },
  };
}
