import type { StoreSettingsReader } from '../../shared/storeSettings';
import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import type { TableClient, TransactionAction } from '@azure/data-tables';
import type { Caller } from '../../shared/auth/policy';
import { storeScope } from '../../shared/auth/policy';
import { MAX_SCOPED_STORES } from '../../shared/auth/scope';
import { z } from 'zod';
import type { ServiceDeps } from '../../shared/deps';
import { json, notFound, parseJsonBody, parseWith, problem, queryObject } from '../../shared/http';
import { IdempotencyKeyHeader, decideKey, expiryFrom, fingerprintOf, keyReused, type KeyRecord } from '../../shared/idempotency';
import { keyFor } from '../../shared/identifiers';
import { withConflictRetry } from '../../shared/retry';
import { getOrUndefined, isPreconditionFailed, isTransactionConflict } from '../../shared/tables';
import { TABLES } from '../../shared/topology';
import { ifMatchAllows, toHttpEtag } from '../../shared/etags';
import { restocked } from './stock';
import { STOCK_ROW, type StockRow } from './rows';
import { joinDirectory, readDirectory } from './storeDirectory';
import { announceOwed, createThresholds, lowFields } from './lowStock';
import { isLow } from './stock';
import { Cursor, keyPage, nextLink } from '../../shared/paging';
import { ListLimit, StoreId } from '../../shared/identifiers';

export const SetStock = z.strictObject({ cups: z.number().int().min(0).max(1_000_000) });
export const Restock = z.strictObject({ cups: z.number().int().min(1).max(1_000_000) });
const MAX_CUPS = 1_000_000_000;
export const ListQuery = z.strictObject({ limit: ListLimit, cursor: Cursor });

/**
 * A restock's Idempotency-Key lives in the store's partition, next to the stock row, so the key and
 * the stock change commit in one transaction: a crash or a retry can never add the cups twice. It
 * records the answer given, which a repeat gets again.
 */
const restockKeyRow = (key: string) => `restock-key_${keyFor(key)}`;

interface RestockKeyRow extends KeyRecord {
  cups: number;
  added: number;
  updatedAt: string;
}

/** A store's stock as the routes answer it. */
export const StockView = z
  .object({
    storeId: StoreId,
    cups: z.int().min(0).meta({ description: 'Cups still free to reserve.' }),
    updatedAt: z.iso.datetime(),
    low: z.boolean().meta({ description: "Free cups are at or below the store's low-stock threshold." }),
    lowStockCups: z.int().min(0).meta({ description: "The store's low-stock threshold (its setting, else LOW_STOCK_CUPS)." }),
  })
  .meta({ id: 'Stock' });
export const RestockAnswer = StockView.extend({ added: z.int().min(1).meta({ description: 'Cups this restock added.' }) }).meta({ id: 'Restocked' });

/** `low` is judged on the store's threshold now, so a changed threshold shows at once, before any write. */
const view = (storeId: string, row: StockRow, lowStockCups: number): z.infer<typeof StockView> => ({
  storeId,
  cups: row.cups,
  updatedAt: row.updatedAt,
  low: isLow(row.cups, lowStockCups),
  lowStockCups,
});

function storeParam(request: HttpRequest): string {
  return parseWith(StoreId, request.params.storeId, 'store id');
}

const preconditionFailed = (storeId: string) =>
  problem(
    412,
    'precondition-failed',
    'Precondition failed',
    `The stock of store ${storeId} is not the one If-Match names (it changed, or was never set); read it again and retry.`,
  );

export function createInventoryApi(deps: ServiceDeps, storeSettings?: StoreSettingsReader) {
  const stock = () => deps.table(TABLES.inventory);
  const thresholdOf = createThresholds(deps, storeSettings);
  /**
   * Once per store and process: the store joins the directory `GET /inventories` pages through
   * (storeDirectory.ts), before its stock is first written, so a store with stock is always listed.
   */
  const listed = new Set<string>();
  async function list(client: TableClient, storeId: string): Promise<void> {
    if (listed.has(storeId)) return;
    await joinDirectory(client, storeId);
    listed.add(storeId);
  }

  /**
   * Sets the stock, recording a crossing of the low-stock threshold with it. Conditional on the row as
   * read, so a reservation in between is never overwritten with a stale mark: without `If-Match` the
   * set is made again on the fresh row; under `If-Match` the row must still carry a tag the client
   * read, checked by storage itself.
   */
  async function setCups(client: TableClient, storeId: string, cups: number, lowStockCups: number, ifMatch: string | null): Promise<StockRow & { etag: string }> {
    return withConflictRetry(async () => {
      const current = await getOrUndefined<StockRow>(client, storeId, STOCK_ROW);
      if (ifMatch !== null && !ifMatchAllows(ifMatch, current && toHttpEtag(current.etag))) throw preconditionFailed(storeId);
      const at = deps.now().toISOString();
      const row: StockRow = { cups, updatedAt: at, ...lowFields(current, cups, lowStockCups, at) };
      const entity = { partitionKey: storeId, rowKey: STOCK_ROW, ...row };
      try {
        const written = current ? await client.updateEntity(entity, 'Merge', { etag: current.etag }) : await client.createEntity(entity);
        return { ...current, ...row, etag: written.etag! };
      } catch (error) {
        if (ifMatch !== null && isPreconditionFailed(error)) throw preconditionFailed(storeId); // written since we read it
        throw error;
      }
    }, (error) => ifMatch === null && isTransactionConflict(error));
  }

  return {
    /**
     * Sets the stock. Every write changes the row's ETag, reservations included: a set made with the
     * `If-Match` of an earlier read fails (412) rather than overwrite cups reserved since, and a
     * reservation read before any set fails its own ETag check and is decided again.
     */
    async setStock(request: HttpRequest, context?: InvocationContext): Promise<HttpResponseInit> {
      const storeId = storeParam(request);
      const { cups } = await parseJsonBody(request, SetStock);
      const [client, lowStockCups] = await Promise.all([stock(), thresholdOf(storeId)]);
      await list(client, storeId);
      const row = await setCups(client, storeId, cups, lowStockCups, request.headers.get('if-match'));
      // Marking a StockLow announced writes the row again: the ETag answered is the one it ends with (the
      // caller's row plus that mark), or the one the set wrote when someone else wrote in between.
      const etag = (await announceOwed(deps, client, storeId, row, context)) ?? row.etag;
      return json(200, view(storeId, row, lowStockCups), { etag: toHttpEtag(etag) });
    },

    async restock(request: HttpRequest, context?: InvocationContext): Promise<HttpResponseInit> {
      const storeId = storeParam(request);
      const rawKey = request.headers.get('idempotency-key');
      const key = rawKey === null ? undefined : parseWith(IdempotencyKeyHeader, rawKey, 'Idempotency-Key header');
      const { cups } = await parseJsonBody(request, Restock);
      const fingerprint = fingerprintOf([cups]);
      const [client, lowStockCups] = await Promise.all([stock(), thresholdOf(storeId)]);
      await list(client, storeId);
      let written: (StockRow & { etag: string }) | undefined;
      const answer = await withConflictRetry(
        async (): Promise<z.infer<typeof RestockAnswer>> => {
          const keyRow = key === undefined ? undefined : restockKeyRow(key);
          const [current, held] = await Promise.all([
            getOrUndefined<StockRow>(client, storeId, STOCK_ROW),
            keyRow === undefined ? undefined : getOrUndefined<RestockKeyRow>(client, storeId, keyRow),
          ]);
          const now = deps.now();
          if (held) {
            const decision = decideKey(held, fingerprint, now);
            if (decision === 'mismatch') throw keyReused();
            if (decision === 'repeat') return { ...view(storeId, { cups: held.cups, updatedAt: held.updatedAt }, lowStockCups), added: held.added };
          }
          const total = Math.min(MAX_CUPS, restocked(current?.cups ?? 0, cups));
          const next: StockRow = { cups: total, updatedAt: now.toISOString(), ...lowFields(current, total, lowStockCups, now.toISOString()) };
          const stockEntity = { partitionKey: storeId, rowKey: STOCK_ROW, ...next };
          // The ETag guards the stock against a concurrent reservation or set; the key row's create (or
          // its ETag, when an expired key is reused) against a concurrent restock with the same key.
          const actions: TransactionAction[] = [current ? ['update', stockEntity, 'Merge', { etag: current.etag }] : ['create', stockEntity]];
          if (keyRow !== undefined) {
            const record: RestockKeyRow = { fingerprint, expiresAt: expiryFrom(now, deps.settings.idempotencyTtlHours), cups: next.cups, added: cups, updatedAt: next.updatedAt };
            const keyEntity = { partitionKey: storeId, rowKey: keyRow, ...record };
            actions.push(held ? ['update', keyEntity, 'Replace', { etag: held.etag }] : ['create', keyEntity]);
          }
          const response = await client.submitTransaction(actions);
          const etag = response.subResponses[0]?.etag;
          written = etag ? { ...current, ...next, etag } : undefined;
          return { ...view(storeId, next, lowStockCups), added: cups };
        },
        isTransactionConflict,
      );
      // A restock lifts the stock, so it only re-arms; it announces a crossing an earlier write left owed.
      await announceOwed(deps, client, storeId, written, context);
      return json(200, answer);
    },

    /**
     * A page of stores (by id), each with its stock row read by key: a bounded number of point reads
     * however many reservations the table holds, and no query. Staff of a few stores page through their
     * own stores (no directory read); operators, and staff of many stores, through the store directory.
     */
    async listStock(request: HttpRequest, _context?: InvocationContext, caller?: Caller): Promise<HttpResponseInit> {
      const q = parseWith(ListQuery, queryObject(request), 'query');
      const scope = caller ? storeScope(caller) : 'all';
      if (scope !== 'all' && scope.length === 0) return json(200, []);
      const client = await stock();
      const mine = scope === 'all' ? undefined : new Set(scope.filter((id) => StoreId.safeParse(id).success));
      const stores =
        mine && mine.size <= MAX_SCOPED_STORES ? [...mine].sort() : (await readDirectory(client)).ids.filter((id) => mine === undefined || mine.has(id));
      const page = keyPage(stores, q.limit, q.cursor);
      const rows = await Promise.all(
        page.keys.map(async (storeId) => [storeId, ...(await Promise.all([getOrUndefined<StockRow>(client, storeId, STOCK_ROW), thresholdOf(storeId)]))] as const),
      );
      return json(200, rows.flatMap(([storeId, row, lowStockCups]) => (row ? [view(storeId, row, lowStockCups)] : [])), nextLink(request, page.next));
    },

    async getStock(request: HttpRequest): Promise<HttpResponseInit> {
      const storeId = storeParam(request);
      const [client, lowStockCups] = await Promise.all([stock(), thresholdOf(storeId)]);
      const row = await getOrUndefined<StockRow>(client, storeId, STOCK_ROW);
      if (!row) throw notFound(`No stock has been set for store ${storeId}.`);
      return json(200, view(storeId, row, lowStockCups), { etag: toHttpEtag(row.etag) });
    },
  };
}
