import type { HttpRequest, HttpResponseInit } from '@azure/functions';
import { z } from 'zod';
import type { ServiceDeps } from '../../shared/deps';
import { json, parseWith, queryObject } from '../../shared/http';
import { getOrUndefined, listAll, odata } from '../../shared/tables';
import { TABLES } from '../../shared/topology';
import { asOf, beverages } from './brewing';
import { JOB_ROW, fromRow, type JobRow } from './rows';
import { ListLimit, OrderId } from '../../shared/identifiers';

const Query = z.strictObject({
  orderId: OrderId.optional(),
  limit: ListLimit,
});

export function createBeveragesApi(deps: ServiceDeps) {
  return {
    async listBeverages(request: HttpRequest): Promise<HttpResponseInit> {
      const q = parseWith(Query, queryObject(request), 'query');
      const client = await deps.table(TABLES.beverages);
      if (q.orderId) {
        const row = await getOrUndefined<JobRow>(client, q.orderId, JOB_ROW);
        return json(200, row ? beverages(asOf(fromRow(row), deps.now())) : []);
      }
      // Jobs are keyed by order id, which sorts newest first: the first `limit` jobs are the latest.
      const rows = await listAll<JobRow>(client, odata`RowKey eq ${JOB_ROW}`, q.limit);
      const now = deps.now();
      return json(200, rows.map((row) => beverages(asOf(fromRow(row), now))).flat());
    },
  };
}
