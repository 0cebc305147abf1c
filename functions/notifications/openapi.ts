import { z } from 'zod';
import { PagedHeaders, SECURITY, answer, guarded, problems, type Paths } from '../../shared/openapi';
import { Query } from './api';
import { Notification } from './rows';
import { StoreAlert } from './storeAlerts';

export const paths: Paths = {
  '/notifications': {
    get: {
      operationId: 'listNotifications',
      tags: ['notifications'],
      summary: 'Notifications sent to customers',
      description:
        "By `orderId` alone anyone holding the order id may ask (the id is the customer's key); otherwise staff, who see their stores' notifications. " +
        "`storeId` (alone) lists a store's own notifications for staff instead: low stock (`StoreAlert`).",
      security: SECURITY.optional,
      requestParams: { query: Query },
      responses: {
        '200': answer(
          "The notifications, newest order first; with `storeId`, the store's own notifications, newest first.",
          z.union([z.array(Notification), z.array(StoreAlert)]),
          [{ id: '0m3c9x2a7k4q1z8w.order-completed', orderId: '0m3c9x2a7k4q1z8w', customerId: 'c-1', storeId: 'main', kind: 'order-completed', message: 'Your order Z8W is ready.', messageKo: '주문하신 Z8W 음료가 준비되었습니다.', createdAt: '2026-11-27T10:15:31.000Z' }],
          PagedHeaders,
        ),
        ...problems([400, ...guarded]),
      },
    },
  },
};
