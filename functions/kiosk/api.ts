import type { HttpRequest, HttpResponseInit } from '@azure/functions';
import { z } from 'zod';
import type { AuthConfig } from '../../shared/config';
import type { ServiceDeps } from '../../shared/deps';
import { json, notFound, parseWith, pathId, queryObject } from '../../shared/http';
import { getOrUndefined, listAll, odata } from '../../shared/tables';
import { TABLES } from '../../shared/topology';
import { customerMessage, type KioskView } from './projection';
import { VIEW_ROW, boardPartition, fromViewRow, type ViewRow } from './readModel';
import { OrderId, StoreId, pickupCode } from '../../shared/identifiers';

const BoardQuery = z.strictObject({
  storeId: StoreId.default('main'),
  limit: z.coerce.number().int().min(1).max(100).default(20),
});

const present = (view: KioskView) => {
  const { erased: _erased, ...shown } = view;
  return { id: view.orderId, ...shown, message: customerMessage(view) };
};

/**
 * A board tile: the pickup code and the status, nothing else. The board is public (a shop screen),
 * and the order id is the customer's key to their order, so it never appears here; nor do customer
 * ids or items.
 */
const tile = (view: KioskView) => ({ code: pickupCode(view.orderId), status: view.status, updatedAt: view.updatedAt, ...(view.readyAt ? { readyAt: view.readyAt } : {}) });

export function createKioskApi(deps: ServiceDeps, authMode: AuthConfig['mode'] = 'off') {
  const kiosk = () => deps.table(TABLES.kiosk);
  return {
    async getKioskOrder(request: HttpRequest): Promise<HttpResponseInit> {
      const id = pathId(OrderId, request.params.id, 'order');
      const row = await getOrUndefined<ViewRow>(await kiosk(), id, VIEW_ROW);
      if (!row) throw notFound(`The kiosk has not seen order ${id} (yet).`);
      return json(200, present(fromViewRow(row, id)));
    },

    async listKioskOrders(request: HttpRequest): Promise<HttpResponseInit> {
      const q = parseWith(BoardQuery, queryObject(request), 'query');
      const rows = await listAll<ViewRow & { orderId: string }>(await kiosk(), odata`PartitionKey eq ${boardPartition(q.storeId)}`, q.limit);
      return json(200, rows.map((row) => tile(fromViewRow(row, row.orderId))));
    },

    /** `auth` tells the staff page how to sign in: `off`, `local` (the local host's token endpoint) or `entra`. */
    settings(): HttpResponseInit {
      return json(200, { lowStockCups: deps.settings.lowStockCups, auth: authMode });
    },
  };
}
