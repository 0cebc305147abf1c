import { app } from '@azure/functions';
import { eventHubConsumer } from '../../shared/consumer';
import { consumerDeps, productionDeps } from '../../shared/deps';
import { withProblems } from '../../shared/http';
import { CONSUMER_RETRY } from '../../shared/retry';
import { CONSUMER_GROUPS, EVENT_HUB, EVENT_HUB_CONNECTION } from '../../shared/topology';
import { createNotificationsApi } from './api';
import { createNotifier } from './notifier';

const deps = productionDeps();

app.http('listNotifications', { methods: ['GET'], route: 'notifications', handler: withProblems(createNotificationsApi(deps).listNotifications) });

app.eventHub('notifyCustomers', {
  connection: EVENT_HUB_CONNECTION,
  eventHubName: EVENT_HUB,
  consumerGroup: CONSUMER_GROUPS.notifications,
  cardinality: 'many',
  retry: CONSUMER_RETRY,
  handler: eventHubConsumer(
    { name: 'notifyCustomers', accepts: ['OrderCancelled', 'OrderCompleted'], handle: createNotifier(deps) },
    consumerDeps(deps),
  ),
});
