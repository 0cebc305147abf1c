import type { InvocationContext } from '@azure/functions';
import type { TableClient } from '@azure/data-tables';
import type { ServiceDeps } from '../../shared/deps';
import { makeStockLow, type StockLow } from '../../shared/events';
import { createStoreSettingsReader, type StoreSettingsReader } from '../../shared/storeSettings';
import { getOrUndefined, isPreconditionFailed } from '../../shared/tables';
import { TABLES } from '../../shared/topology';
import { STOCK_ROW, type StockRow } from './rows';
import { NOT_LOW, markLow, unannounced, type LowMark } from './stock';

/**
 * Low stock, as the inventory keeps it: each write of the cups records in the same ETag-guarded write
 * whether it crossed the store's threshold (rows.ts, stock.ts `markLow`), and a crossing not yet
 * announced is published as StockLow and then marked announced. A crash or a failed publish between
 * the two leaves it unannounced, and the next write of that stock or a redelivery of the batch publishes
 * it again with the same id; consumers drop the copy by id. Reads of the stock never publish.
 */

/** Each store's threshold: its own setting (stores table), else the app's LOW_STOCK_CUPS. */
export function createThresholds(deps: ServiceDeps, settings: StoreSettingsReader = createStoreSettingsReader(() => deps.table(TABLES.stores))): (storeId: string) => Promise<number> {
  return async (storeId) => (await settings.get(storeId)).lowStockCups ?? deps.settings.lowStockCups;
}

export function markOf(row: StockRow | undefined): LowMark {
  if (!row) return NOT_LOW;
  return { low: row.low ?? false, crossings: row.crossings ?? 0, announced: row.announced ?? 0 };
}

/**
 * The fields a write leaving `cups` free carries besides them: the mark after it, and for a new
 * crossing what its StockLow will say.
 */
export function lowFields(before: StockRow | undefined, cups: number, lowStockCups: number, at: string): Partial<StockRow> {
  const was = markOf(before);
  const mark = markLow(was, cups, lowStockCups);
  const crossed = mark.crossings > was.crossings;
  return { ...mark, ...(crossed ? { crossedCups: cups, crossedThreshold: lowStockCups, crossedAt: at } : {}) };
}

/** The StockLow this row still owes, if any. */
export function owedStockLow(storeId: string, row: StockRow | undefined): StockLow | undefined {
  const crossing = row && unannounced(markOf(row));
  if (crossing === undefined || !row) return undefined;
  return makeStockLow({
    storeId,
    crossing,
    cups: row.crossedCups ?? row.cups,
    lowStockCups: row.crossedThreshold ?? 0,
    occurredAt: row.crossedAt ?? row.updatedAt,
  });
}

/** How the log line the Azure alert looks for starts (infra/modules/alerts.bicep). */
export const STOCK_LOW_LOG = 'stock low';

/** The alert's line: one per publish of a StockLow, at warning level. */
export function logStockLow(context: Pick<InvocationContext, 'warn'>, event: StockLow): void {
  context.warn(`${STOCK_LOW_LOG} storeId=${event.storeId} cups=${event.cups} lowStockCups=${event.lowStockCups} crossing=${event.crossing} eventId=${event.id}`);
}

/**
 * Records that the StockLow of `crossing` went out. Conditional on the ETag the caller holds, re-read on
 * a conflict; only ever raises `announced`, so it cannot undo a crossing recorded since. Answers the
 * row's new ETag only when it wrote on the caller's own row (the same cups, one more field): after a
 * conflict the row holds someone else's change, and handing its tag out with the caller's body would let
 * an `If-Match` overwrite a change its sender never saw. A failure here only means the event is
 * published once more later.
 */
export async function markAnnounced(client: TableClient, storeId: string, crossing: number, etag: string): Promise<string | undefined> {
  let held = etag;
  for (let attempt = 0; attempt < 5; attempt++) {
    try {
      const written = await client.updateEntity({ partitionKey: storeId, rowKey: STOCK_ROW, announced: crossing }, 'Merge', { etag: held });
      return attempt === 0 ? written.etag : undefined;
    } catch (error) {
      if (!isPreconditionFailed(error)) throw error;
      const current = await getOrUndefined<StockRow>(client, storeId, STOCK_ROW);
      if (!current || markOf(current).announced >= crossing) return undefined;
      held = current.etag;
    }
  }
  return undefined;
}

/** A stock route waits this long at most for the hub: the stock change it follows is already committed. */
const ANNOUNCE_TIMEOUT_MS = 3_000;

/**
 * Publishes what the row owes and marks it announced; for the stock routes that write the stock (PUT,
 * restock), never for a read. A failure is logged, not thrown: the stock change it follows is committed,
 * and the StockLow goes out with the store's next stock write or reservation. A crossing still owed when
 * the stock is no longer low (a restock after a failed publish) is marked announced without publishing:
 * staff who just refilled the store are not told it is low.
 */
export async function announceOwed(deps: ServiceDeps, client: TableClient, storeId: string, row: (StockRow & { etag: string }) | undefined, context: Pick<InvocationContext, 'warn'> | undefined): Promise<string | undefined> {
  const event = owedStockLow(storeId, row);
  if (!event || !row) return undefined;
  try {
    if (!markOf(row).low) return await markAnnounced(client, storeId, event.crossing, row.etag);
    await deps.publisher.publish([event], { abortSignal: AbortSignal.timeout(ANNOUNCE_TIMEOUT_MS) });
    if (context) logStockLow(context, event);
    return await markAnnounced(client, storeId, event.crossing, row.etag);
  } catch (error) {
    context?.warn(`StockLow ${event.id} not announced yet (published again with the next stock write): ${error instanceof Error ? error.message : String(error)}`);
    return undefined;
  }
}
