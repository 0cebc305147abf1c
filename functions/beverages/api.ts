import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import type { Caller } from '../../shared/auth/policy';
import { inScope, storesFilter } from '../../shared/auth/scope';
import { z } from 'zod';
import type { ServiceDeps } from '../../shared/deps';
import { json, parseWith, queryObject } from '../../shared/http';
import { getOrUndefined, odata } from '../../shared/tables';
import { Cursor, listPage, nextLink } from '../../shared/paging';
import { TABLES } from '../../shared/topology';
import { asOf, beverages } from './brewing';
import { JOB_ROW, fromRow, type JobRow } from './rows';
import { ListLimit, OrderId } from '../../shared/identifiers';

export const Query = z.strictObject({
  orderId: OrderId.optional(),
  limit: ListLimit,
  cursor: Cursor,
});

export function createBeveragesApi(deps: ServiceDeps) {
  return {
    /** Staff see their stores' beverages, operators every store's. */
    async listBeverages(request: HttpRequest, _context?: InvocationContext, caller?: Caller): Promise<HttpResponseInit> {
      const q = parseWith(Query, queryObject(request), 'query');
      const client = await deps.table(TABLES.beverages);
      if (q.orderId) {
        const row = await getOrUndefined<JobRow>(client, q.orderId, JOB_ROW);
        return json(200, row ? inScope(caller, beverages(asOf(fromRow(row), deps.now()))) : []);
      }
      const scope = storesFilter(caller);
      if (scope === false) return json(200, []);
      // Jobs are keyed by order id, which sorts newest first: pages come newest first.
      const page = await listPage<JobRow>(client, [odata`RowKey eq ${JOB_ROW}`, ...(scope ? [scope] : [])].join(' and '), q.limit, q.cursor);
      const now = deps.now();
      return json(200, page.rows.map((row) => beverages(asOf(fromRow(row), now))).flat(), nextLink(request, page.next));
    },
  };
}
