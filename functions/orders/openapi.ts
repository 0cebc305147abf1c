import { z } from 'zod';
import { CustomerId, OrderId } from '../../shared/identifiers';
import { IdempotencyKeyHeader } from '../../shared/idempotency';
import { MENU, MenuItem } from '../../shared/menu';
import { PagedHeaders, SECURITY, answer, guarded, jsonContent, problems, type Paths } from '../../shared/openapi';
import { ErasureAnswer, ListQuery } from './api';
import { Order, PlaceOrderBody } from './order';

const ORDER: z.input<typeof Order> = {
  id: '0m3c9x2a7k4q1z8w',
  storeId: 'main',
  customerId: 'c-1',
  items: [{ menuItemId: 'americano', quantity: 2 }],
  cups: 2,
  status: 'pending',
  createdAt: '2026-11-27T10:15:00.000Z',
  updatedAt: '2026-11-27T10:15:00.000Z',
};

const OrderPath = z.object({ id: OrderId.meta({ description: 'The order id `POST /orders` answered.', example: ORDER.id }) });
const Located = z.object({ location: z.string().meta({ description: 'The order: `/orders/{id}`.' }) });

export const paths: Paths = {
  '/orders': {
    post: {
      operationId: 'placeOrder',
      tags: ['orders'],
      summary: 'Place an order',
      description: 'Answers at once with the pending order; the saga then reserves cups, brews and completes (or cancels) it.',
      security: SECURITY.anyone,
      requestParams: {
        header: z.object({
          'Idempotency-Key': IdempotencyKeyHeader.optional().meta({ description: "A repeat with the same key (per customer) answers the same order and places nothing new; another body under a live key answers 422." }),
        }),
      },
      requestBody: { required: true, content: jsonContent(PlaceOrderBody, { customerId: 'c-1', items: [{ menuItemId: 'americano', quantity: 2 }] }) },
      responses: {
        '202': answer('The order, pending.', Order, ORDER, Located),
        ...problems([400, 409, 413, 422, 429], {
          409: {
            description: 'The store is closed (`store-closed`), a drink is sold out there (`item-unavailable`), or another request with the same Idempotency-Key is still in progress (`conflict`).',
            example: { type: 'https://unmanned.cafe/problems/store-closed', title: 'Store closed', status: 409, detail: 'Store main is closed; it takes no new orders.' },
          },
          429: { description: "The store has `maxOrdersInFlight` orders in flight, or the customer `maxOpenOrdersPerCustomer` open orders there (`store-busy`); `Retry-After` says when to try again." },
        }),
      },
    },
    get: {
      operationId: 'listOrders',
      tags: ['orders'],
      summary: "List orders, newest first (staff: their stores' orders)",
      security: SECURITY.staff,
      requestParams: { query: ListQuery },
      responses: { '200': answer('A page of orders.', z.array(Order), [ORDER], PagedHeaders), ...problems([400, ...guarded]) },
    },
  },
  '/orders/{id}': {
    get: {
      operationId: 'getOrder',
      tags: ['orders'],
      summary: 'Read an order by id',
      security: SECURITY.anyone,
      requestParams: { path: OrderPath },
      responses: { '200': answer('The order.', Order, { ...ORDER, status: 'completed' }), ...problems([404]) },
    },
  },
  '/orders/{id}/cancel': {
    post: {
      operationId: 'cancelOrder',
      tags: ['orders'],
      summary: 'Ask to cancel an order',
      description: 'The order ends `cancelled` (reason `customer-cancelled`) or, when brewing won the race, completes. Asking again answers the same.',
      security: SECURITY.anyone,
      requestParams: { path: OrderPath },
      responses: {
        '202': answer('The order with its cancel request.', Order, { ...ORDER, status: 'accepted', cancel: { reason: 'customer-cancelled', requestedAt: '2026-11-27T10:15:05.000Z' } }, Located),
        ...problems([404, 409], { 409: { description: 'The order is already brewing or final.', example: { type: 'https://unmanned.cafe/problems/already-brewing', title: 'The order can no longer be cancelled', status: 409, detail: 'Order 0m3c9x2a7k4q1z8w is already being brewed.' } } }),
      },
    },
  },
  '/customers/{customerId}': {
    delete: {
      operationId: 'eraseCustomer',
      tags: ['orders'],
      summary: "Erase a customer's personal data everywhere (operators)",
      security: SECURITY.operator,
      requestParams: { path: z.object({ customerId: CustomerId.meta({ example: 'c-1' }) }) },
      responses: {
        '202': answer('Erasure asked for, one event per order.', ErasureAnswer, { orders: 3, status: 'erasing' }),
        ...problems([400, ...guarded, 409], { 409: { description: 'An order of the customer is still in progress.' } }),
      },
    },
  },
  '/menu': {
    get: {
      operationId: 'getMenu',
      tags: ['orders'],
      summary: 'The drinks every store sells',
      security: SECURITY.anyone,
      responses: {
        '200': answer('The menu (cacheable for 5 minutes).', z.array(MenuItem), [...MENU]),
      },
    },
  },
};
