import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import type { Caller } from '../../shared/auth/policy';
import { inScope, storesFilter } from '../../shared/auth/scope';
import { z } from 'zod';
import type { ServiceDeps } from '../../shared/deps';
import { json, parseWith, queryObject } from '../../shared/http';
import { getOrUndefined, listAll, odata } from '../../shared/tables';
import { TABLES } from '../../shared/topology';
import { beverages } from './brewing';
import { JOB_ROW, fromJobRow, type JobRow } from './jobs';
import { ListLimit, OrderId } from '../../shared/identifiers';

const Query = z.strictObject({
  orderId: OrderId.optional(),
  limit: ListLimit,
});

export function createBeveragesApi(deps: ServiceDeps) {
  return {
    /** Staff see their stores' beverages, operators every store's. */
    async listBeverages(request: HttpRequest, _context?: InvocationContext, caller?: Caller): Promise<HttpResponseInit> {
      const q = parseWith(Query, queryObject(request), 'query');
      const client = await deps.table(TABLES.beverages);
      if (q.orderId) {
        const row = await getOrUndefined<JobRow>(client, q.orderId, JOB_ROW);
        return json(200, row ? inScope(caller, beverages(fromJobRow(row))) : []);
      }
      const scope = storesFilter(caller);
      if (scope === false) return json(200, []);
      // Jobs are keyed by order id, which sorts newest first: the first `limit` jobs are the latest.
      const rows = await listAll<JobRow>(client, [odata`RowKey eq ${JOB_ROW}`, ...(scope ? [scope] : [])].join(' and '), q.limit);
      return json(200, rows.map(fromJobRow).flatMap(beverages));
    },
  };
}
