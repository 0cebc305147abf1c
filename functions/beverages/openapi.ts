import { z } from 'zod';
import { PagedHeaders, SECURITY, answer, guarded, problems, type Paths } from '../../shared/openapi';
import { Query } from './api';
import { Beverage } from './brewing';

export const paths: Paths = {
  '/beverages': {
    get: {
      operationId: 'listBeverages',
      tags: ['beverages'],
      summary: "Beverages being brewed or brewed (staff: their stores')",
      security: SECURITY.staff,
      requestParams: { query: Query },
      responses: {
        '200': answer(
          'A page of beverages, newest order first; by `orderId`, that order\'s.',
          z.array(Beverage),
          [{ id: '0m3c9x2a7k4q1z8w-1', orderId: '0m3c9x2a7k4q1z8w', storeId: 'main', menuItemId: 'americano', quantity: 2, status: 'brewing', startedAt: '2026-11-27T10:15:01.000Z', readyAt: '2026-11-27T10:15:31.000Z' }],
          PagedHeaders,
        ),
        ...problems([400, ...guarded]),
      },
    },
  },
};
