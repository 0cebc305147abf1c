import { z } from 'zod';
import { OrderId } from '../../shared/identifiers';
import { SECURITY, answer, guarded, problems, type Paths, StorePath } from '../../shared/openapi';
import { BoardQuery, BoardTile, KioskOrder, KioskSettings, StoreOrder, StoreOrdersQuery } from './api';

export const paths: Paths = {
  '/kiosk/orders/{id}': {
    get: {
      operationId: 'getKioskOrder',
      tags: ['kiosk'],
      summary: "The kiosk's view of one order",
      security: SECURITY.anyone,
      requestParams: { path: z.object({ id: OrderId.meta({ example: '0m3c9x2a7k4q1z8w' }) }) },
      responses: {
        '200': answer('The order as the kiosk shows it.', KioskOrder, {
          id: '0m3c9x2a7k4q1z8w',
          orderId: '0m3c9x2a7k4q1z8w',
          storeId: 'main',
          customerId: 'c-1',
          items: [{ menuItemId: 'americano', quantity: 2 }],
          cups: 2,
          status: 'brewing',
          readyAt: '2026-11-27T10:15:31.000Z',
          createdAt: '2026-11-27T10:15:00.000Z',
          updatedAt: '2026-11-27T10:15:01.000Z',
          message: 'Brewing',
        }),
        ...problems([404], { 404: { description: 'The kiosk has not seen the order (yet).' } }),
      },
    },
  },
  '/kiosk/orders': {
    get: {
      operationId: 'listKioskOrders',
      tags: ['kiosk'],
      summary: "The pickup board: a store's recent orders",
      security: SECURITY.anyone,
      requestParams: { query: BoardQuery },
      responses: {
        '200': answer('Tiles, newest first.', z.array(BoardTile), [{ code: 'Z8W1', status: 'completed', updatedAt: '2026-11-27T10:15:31.000Z', readyAt: '2026-11-27T10:15:31.000Z' }]),
        ...problems([400]),
      },
    },
  },
  '/stores/{storeId}/orders': {
    get: {
      operationId: 'listStoreOrders',
      tags: ['kiosk'],
      summary: "A store's newest orders, for its staff (one read however long the store's history)",
      description: 'The newest orders the kiosk read model has seen for the store, newest first, at most 100 whatever their age. Older orders: `GET /orders?storeId=` pages through them all.',
      security: SECURITY.staff,
      requestParams: { path: StorePath, query: StoreOrdersQuery },
      responses: {
        '200': answer('Orders, newest first.', z.array(StoreOrder), [
          { id: '0m3c9x2a7k4q1z8w', storeId: 'main', status: 'cancelled', reason: 'out-of-cups', items: [{ menuItemId: 'americano', quantity: 2 }], createdAt: '2026-11-27T10:15:00.000Z', updatedAt: '2026-11-27T10:15:01.000Z' },
        ]),
        ...problems([400, ...guarded]),
      },
    },
  },
  '/kiosk/settings': {
    get: {
      operationId: 'kioskSettings',
      tags: ['kiosk'],
      summary: 'What the kiosk pages need to know',
      security: SECURITY.anyone,
      responses: { '200': answer('The settings.', KioskSettings, { lowStockCups: 5, auth: 'off' }) },
    },
  },
  '/kiosk/{asset}': {
    get: {
      operationId: 'kioskPage',
      tags: ['kiosk'],
      summary: 'The kiosk pages and their assets',
      description: '`/kiosk` (or `/kiosk/index.html`) is the customer kiosk, `/kiosk/staff` the staff page; their scripts, styles and images sit next to them.',
      security: SECURITY.anyone,
      requestParams: { path: z.object({ asset: z.string().meta({ description: 'Empty for the kiosk page; `staff`, or a file such as `app.js`.', example: 'staff' }) }) },
      responses: {
        '200': { description: 'The page or asset.', content: { 'text/html': { schema: z.string() }, 'text/javascript': { schema: z.string() }, 'text/css': { schema: z.string() }, 'image/svg+xml': { schema: z.string() } } },
        ...problems([404]),
      },
    },
  },
};
