import { z } from 'zod';
import { IdempotencyKeyHeader } from '../../shared/idempotency';
import { PagedHeaders, SECURITY, answer, guarded, jsonContent, problems, type Paths, StorePath } from '../../shared/openapi';
import { ListQuery, Restock, RestockAnswer, SetStock, StockView } from './api';

const STOCK: z.input<typeof StockView> = { storeId: 'main', cups: 10, updatedAt: '2026-11-27T10:00:00.000Z', low: false, lowStockCups: 5 };
const Tagged = z.object({ etag: z.string().meta({ description: "The stock's tag, for `If-Match` on the next set." }) });

export const paths: Paths = {
  '/inventories': {
    get: {
      operationId: 'listStock',
      tags: ['inventory'],
      summary: "The stock of every store (staff: their stores')",
      security: SECURITY.staff,
      requestParams: { query: ListQuery },
      responses: { '200': answer('A page of stores with their stock.', z.array(StockView), [STOCK], PagedHeaders), ...problems([400, ...guarded]) },
    },
  },
  '/inventories/{storeId}': {
    get: {
      operationId: 'getStock',
      tags: ['inventory'],
      summary: "A store's stock",
      security: SECURITY.staff,
      requestParams: { path: StorePath },
      responses: { '200': answer('The stock.', StockView, STOCK, Tagged), ...problems([400, ...guarded, 404]) },
    },
    put: {
      operationId: 'setStock',
      tags: ['inventory'],
      summary: "Set a store's stock",
      security: SECURITY.staff,
      requestParams: {
        path: StorePath,
        header: z.object({ 'If-Match': z.string().optional().meta({ description: 'Set only if the stock still carries this tag (else 412).' }) }),
      },
      requestBody: { required: true, content: jsonContent(SetStock, { cups: 10 }) },
      responses: { '200': answer('The stock as set.', StockView, STOCK, Tagged), ...problems([400, ...guarded, 412, 413, 507]) },
    },
  },
  '/inventories/{storeId}/restock': {
    post: {
      operationId: 'restock',
      tags: ['inventory'],
      summary: "Add cups to a store's stock",
      security: SECURITY.staff,
      requestParams: {
        path: StorePath,
        header: z.object({ 'Idempotency-Key': IdempotencyKeyHeader.optional().meta({ description: 'A repeat with the same key adds nothing and answers the same.' }) }),
      },
      requestBody: { required: true, content: jsonContent(Restock, { cups: 5 }) },
      responses: { '200': answer('The stock after the restock.', RestockAnswer, { ...STOCK, cups: 15, added: 5 }), ...problems([400, ...guarded, 413, 422, 507]) },
    },
  },
};
