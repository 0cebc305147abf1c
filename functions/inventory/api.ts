import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import type { Caller } from '../../shared/auth/policy';
import { inScope } from '../../shared/auth/scope';
import { z } from 'zod';
import type { ServiceDeps } from '../../shared/deps';
import { json, notFound, parseJsonBody, parseWith } from '../../shared/http';
import { withConflictRetry } from '../../shared/retry';
import { getOrUndefined, isConflict, isPreconditionFailed, listAll, odata } from '../../shared/tables';
import { TABLES } from '../../shared/topology';
import { restocked } from './stock';
import { STOCK_ROW, type StockRow } from './stockRows';
import { StoreId } from '../../shared/identifiers';

const SetStock = z.strictObject({ cups: z.number().int().min(0).max(1_000_000) });
const Restock = z.strictObject({ cups: z.number().int().min(1).max(1_000_000) });
const MAX_CUPS = 1_000_000_000;

const view = (storeId: string, row: StockRow) => ({ storeId, cups: row.cups, updatedAt: row.updatedAt });

function storeParam(request: HttpRequest): string {
  return parseWith(StoreId, request.params.storeId, 'store id');
}

export function createInventoryApi(deps: ServiceDeps) {
  const stock = () => deps.table(TABLES.inventory);

  return {
    async setStock(request: HttpRequest): Promise<HttpResponseInit> {
      const storeId = storeParam(request);
      const { cups } = await parseJsonBody(request, SetStock);
      const row: StockRow = { cups, updatedAt: deps.now().toISOString() };
      // Merge keeps the row's identity; its new ETag makes any reservation read before this set retry.
      await (await stock()).upsertEntity({ partitionKey: storeId, rowKey: STOCK_ROW, ...row }, 'Merge');
      return json(200, view(storeId, row));
    },

    async restock(request: HttpRequest): Promise<HttpResponseInit> {
      const storeId = storeParam(request);
      const { cups } = await parseJsonBody(request, Restock);
      const client = await stock();
      const row = await withConflictRetry(
        async () => {
          const current = await getOrUndefined<StockRow>(client, storeId, STOCK_ROW);
          const next: StockRow = { cups: Math.min(MAX_CUPS, restocked(current?.cups ?? 0, cups)), updatedAt: deps.now().toISOString() };
          if (current) {
            await client.updateEntity({ partitionKey: storeId, rowKey: STOCK_ROW, ...next }, 'Merge', { etag: current.etag });
          } else {
            await client.createEntity({ partitionKey: storeId, rowKey: STOCK_ROW, ...next });
          }
          return next;
        },
        (error) => isPreconditionFailed(error) || isConflict(error),
      );
      return json(200, { ...view(storeId, row), added: cups });
    },

    /** Staff see their stores' stock, operators every store's. */
    async listStock(_request?: HttpRequest, _context?: InvocationContext, caller?: Caller): Promise<HttpResponseInit> {
      const rows = await listAll<StockRow>(await stock(), odata`RowKey eq ${STOCK_ROW}`);
      return json(
        200,
        inScope(caller, rows.map((r) => view(r.partitionKey!, r))).sort((a, b) => a.storeId.localeCompare(b.storeId)),
      );
    },

    async getStock(request: HttpRequest): Promise<HttpResponseInit> {
      const storeId = storeParam(request);
      const row = await getOrUndefined<StockRow>(await stock(), storeId, STOCK_ROW);
      if (!row) throw notFound(`No stock has been set for store ${storeId}.`);
      return json(200, view(storeId, row));
    },
  };
}
