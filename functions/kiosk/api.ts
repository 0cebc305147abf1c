import type { HttpRequest, HttpResponseInit } from '@azure/functions';
import { z } from 'zod';
import type { ServiceDeps } from '../../shared/deps';
import { json, notFound, parseWith, pathId, queryObject } from '../../shared/http';
import { newOrderId, olderBucket, orderBucket } from '../../shared/ids';
import { getOrUndefined, listAll, odata } from '../../shared/tables';
import { TABLES } from '../../shared/topology';
import { customerMessage, type KioskView } from './projection';
import { boardRange, fromRow, viewAt, type ViewRow } from './rows';
import { OrderId, StoreId } from '../../shared/identifiers';

/**
 * How far back the board looks: the newest five buckets (at least 112 minutes). A pickup board shows
 * what is being made and just made; older orders are found by id. Each bucket is one range read.
 */
const BOARD_BUCKETS = 5;

const BoardQuery = z.strictObject({
  storeId: StoreId.default('main'),
  limit: z.coerce.number().int().min(1).max(100).default(20),
});

const present = (view: KioskView) => ({ id: view.orderId, ...view, message: customerMessage(view) });

export function createKioskApi(deps: ServiceDeps) {
  const kiosk = () => deps.table(TABLES.kiosk);
  return {
    async getKioskOrder(request: HttpRequest): Promise<HttpResponseInit> {
      const id = pathId(OrderId, request.params.id, 'order');
      const at = viewAt(id);
      const row = await getOrUndefined<ViewRow>(await kiosk(), at.partitionKey, at.rowKey);
      if (!row) throw notFound(`The kiosk has not seen order ${id} (yet).`);
      return json(200, present(fromRow(row, id)));
    },

    async listKioskOrders(request: HttpRequest): Promise<HttpResponseInit> {
      const q = parseWith(BoardQuery, queryObject(request), 'query');
      const client = await kiosk();
      const { from, to } = boardRange(q.storeId);
      const rows: (ViewRow & { orderId: string })[] = [];
      let bucket = orderBucket(newOrderId(deps.now()));
      for (let i = 0; i < BOARD_BUCKETS && rows.length < q.limit; i++, bucket = olderBucket(bucket)) {
        const filter = odata`PartitionKey eq ${bucket} and RowKey gt ${from} and RowKey lt ${to}`;
        rows.push(...(await listAll<ViewRow & { orderId: string }>(client, filter, q.limit - rows.length)));
      }
      return json(200, rows.map((row) => present(fromRow(row, row.orderId))));
    },

    settings(): HttpResponseInit {
      return json(200, { lowStockCups: deps.settings.lowStockCups });
    },
  };
}
