import { app } from '@azure/functions';
import { eventHubConsumer } from '../../shared/consumer';
import { consumerDeps, productionDeps } from '../../shared/deps';
import { withProblems } from '../../shared/http';
import { productionGuard, staff, type Rule } from '../../shared/auth/guard';
import { withErasure } from '../../shared/erasure';
import { createNotificationErasure } from './erasure';
import { CONSUMER_RETRY } from '../../shared/retry';
import { CONSUMER_GROUPS, EVENT_HUB, EVENT_HUB_CONNECTION } from '../../shared/topology';
import { createNotificationsApi } from './api';
import { createNotifier } from './notifier';
import { createStoreAlerts, withStoreAlerts } from './storeAlerts';

const deps = productionDeps();

const guard = productionGuard(deps);
/** By order id alone it is the customer's own lookup (the order id is the key); by customer or store it is staff's. */
const byOrderOrStaff: Rule = (request) =>
  request.query.get('orderId') && !request.query.get('customerId') ? { kind: 'anyone' } : staff()(request);

app.http('listNotifications', { methods: ['GET'], route: 'notifications', handler: withProblems(guard(byOrderOrStaff, createNotificationsApi(deps).listNotifications)) });

app.eventHub('notifyCustomers', {
  connection: EVENT_HUB_CONNECTION,
  eventHubName: EVENT_HUB,
  consumerGroup: CONSUMER_GROUPS.notifications,
  cardinality: 'many',
  retry: CONSUMER_RETRY,
  handler: eventHubConsumer(
    {
      name: 'notifyCustomers',
      accepts: ['OrderCancelled', 'OrderCompleted', 'CustomerErased', 'StockLow'],
      handle: withErasure(withStoreAlerts(createNotifier(deps), createStoreAlerts(deps)), createNotificationErasure(deps)),
    },
    consumerDeps(deps),
  ),
});
