import type { HttpRequest, HttpResponseInit } from '@azure/functions';
import { z } from 'zod';
import type { AuthConfig } from '../../shared/config';
import type { ServiceDeps } from '../../shared/deps';
import { json, notFound, parseWith, pathId, queryObject } from '../../shared/http';
import { getOrUndefined } from '../../shared/tables';
import { TABLES } from '../../shared/topology';
import { KIOSK_STATUSES, customerMessage, type KioskView } from './projection';
import { boardAt, fromRow, tilesOf, viewAt, type BoardRow, type ViewRow } from './rows';
import { BOARD_SIZE, newest, showing, type BoardTile as Tile } from './board';
import { OrderId, StoreId, pickupCode } from '../../shared/identifiers';

export const BoardQuery = z.strictObject({
  storeId: StoreId.default('main'),
  limit: z.coerce.number().int().min(1).max(BOARD_SIZE).default(20),
});

export const StoreOrdersQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(BOARD_SIZE).default(50),
});

/**
 * One of a store's newest orders as its staff see them: what was ordered, when, and how far it got.
 * No customer id: the list comes from the store's board, which keeps none.
 */
export const StoreOrder = z
  .object({
    id: z.string(),
    storeId: z.string(),
    status: z.enum(KIOSK_STATUSES),
    reason: z.string().optional().meta({ description: 'Why it was cancelled.' }),
    items: z.array(z.object({ menuItemId: z.string(), quantity: z.int() })).optional().meta({ description: 'Absent until the kiosk has seen the order placed.' }),
    readyAt: z.iso.datetime().optional(),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
  })
  .meta({ id: 'StoreOrder' });

/** One order as the kiosk's read model shows it to the customer holding its id. */
export const KioskOrder = z
  .object({
    id: z.string(),
    orderId: z.string(),
    storeId: z.string(),
    customerId: z.string().optional().meta({ description: 'Absent once the customer is erased.' }),
    items: z.array(z.object({ menuItemId: z.string(), quantity: z.int() })).optional(),
    cups: z.int().optional(),
    status: z.enum(KIOSK_STATUSES),
    reason: z.string().optional(),
    readyAt: z.iso.datetime().optional(),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
    message: z.string().meta({ description: 'What the kiosk tells the customer.' }),
  })
  .meta({ id: 'KioskOrder' });

/** A pickup-board tile: no order id, customer id or items (the board is a public screen). */
export const BoardTile = z
  .object({ code: z.string().meta({ description: 'The pickup code: the last four characters of the order id, upper case.' }), status: z.enum(KIOSK_STATUSES), updatedAt: z.iso.datetime(), readyAt: z.iso.datetime().optional() })
  .meta({ id: 'BoardTile' });

export const KioskSettings = z
  .object({ lowStockCups: z.int().min(0), auth: z.enum(['off', 'local', 'entra']).meta({ description: 'How the staff page signs in.' }) })
  .meta({ id: 'KioskSettings' });

const present = (view: KioskView): z.infer<typeof KioskOrder> => {
  const { erased: _erased, ...shown } = view;
  return { id: view.orderId, ...shown, message: customerMessage(view) };
};

/**
 * A board tile: the pickup code and the status, nothing else. The board is public (a shop screen),
 * and the order id is the customer's key to their order, so it never appears here; nor do customer
 * ids or items.
 */
const tile = (view: Tile): z.infer<typeof BoardTile> => ({ code: pickupCode(view.orderId), status: view.status, updatedAt: view.updatedAt, ...(view.readyAt ? { readyAt: view.readyAt } : {}) });

const storeOrder = (storeId: string, t: Tile): z.infer<typeof StoreOrder> => ({
  id: t.orderId,
  storeId,
  status: t.status,
  ...(t.reason ? { reason: t.reason } : {}),
  ...(t.items ? { items: t.items.map((l) => ({ ...l })) } : {}),
  ...(t.readyAt ? { readyAt: t.readyAt } : {}),
  // A board written before tiles kept `createdAt` has the order's latest change only.
  createdAt: t.createdAt ?? t.updatedAt,
  updatedAt: t.updatedAt,
});

export function createKioskApi(deps: ServiceDeps, authMode: AuthConfig['mode'] = 'off') {
  const kiosk = () => deps.table(TABLES.kiosk);
  /** The store's board: one point read (no tiles for a store that has had no order). */
  const boardOf = async (storeId: string): Promise<Tile[]> => {
    const at = boardAt(storeId);
    const row = await getOrUndefined<BoardRow>(await kiosk(), at.partitionKey, at.rowKey);
    return row ? tilesOf(row) : [];
  };
  return {
    async getKioskOrder(request: HttpRequest): Promise<HttpResponseInit> {
      const id = pathId(OrderId, request.params.id, 'order');
      const at = viewAt(id);
      const row = await getOrUndefined<ViewRow>(await kiosk(), at.partitionKey, at.rowKey);
      if (!row) throw notFound(`The kiosk has not seen order ${id} (yet).`);
      return json(200, present(fromRow(row, id)));
    },

    /** One point read of the store's board (see `BOARD_BUCKETS` for how far back it shows). */
    async listKioskOrders(request: HttpRequest): Promise<HttpResponseInit> {
      const q = parseWith(BoardQuery, queryObject(request), 'query');
      return json(200, showing(await boardOf(q.storeId), deps.now(), q.limit).map(tile));
    },

    /**
     * The staff page's list of the store's newest orders: the same point read of the board, however old
     * the orders (up to BOARD_SIZE). Older orders are paged through with `GET /orders?storeId=`.
     */
    async listStoreOrders(request: HttpRequest): Promise<HttpResponseInit> {
      const storeId = parseWith(StoreId, request.params.storeId, 'store id');
      const q = parseWith(StoreOrdersQuery, queryObject(request), 'query');
      return json(200, newest(await boardOf(storeId), q.limit).map((t) => storeOrder(storeId, t)));
    },

    /** `auth` tells the staff page how to sign in: `off`, `local` (the local host's token endpoint) or `entra`. */
    settings(): HttpResponseInit {
      return json(200, { lowStockCups: deps.settings.lowStockCups, auth: authMode } satisfies z.infer<typeof KioskSettings>);
    },
  };
}
