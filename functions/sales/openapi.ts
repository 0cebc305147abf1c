import { z } from 'zod';
import { SECURITY, answer, guarded, problems, type Paths, StorePath } from '../../shared/openapi';
import { SalesQuery, SalesReport } from './api';

const DAY: z.input<typeof SalesReport> = {
  storeId: 'main',
  date: '2026-11-27',
  timeZone: 'Asia/Seoul',
  placed: 12,
  completed: 10,
  cancelled: { total: 2, byReason: { 'out-of-cups': 1, 'customer-cancelled': 1 } },
  drinks: { americano: 6, 'iced-americano': 2, 'cafe-latte': 3, 'vanilla-latte': 0, 'iced-tea': 1 },
  revenue: 55_100,
  currency: 'KRW',
};

export const paths: Paths = {
  '/stores/{storeId}/sales': {
    get: {
      operationId: 'getSales',
      tags: ['sales'],
      summary: "A store's sales on one local day (a read model of the saga's events)",
      description: 'An order counts on the day it was placed, in the store\'s time zone; its completion or cancellation counts on that same day.',
      security: SECURITY.staff,
      requestParams: {
        path: StorePath,
        query: SalesQuery.extend({ date: SalesQuery.shape.date.meta({ example: '2026-11-27' }) }),
      },
      responses: { '200': answer("The day's figures (zeros for a day without orders).", SalesReport, DAY), ...problems([400, ...guarded]) },
    },
  },
};
