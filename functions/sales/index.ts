import { app } from '@azure/functions';
import { pathStore, productionGuard, staff } from '../../shared/auth/guard';
import { eventHubConsumer } from '../../shared/consumer';
import { consumerDeps, productionDeps } from '../../shared/deps';
import { withProblems } from '../../shared/http';
import { CONSUMER_RETRY } from '../../shared/retry';
import { productionStoreSettings } from '../../shared/storeSettings';
import { CONSUMER_GROUPS, EVENT_HUB, EVENT_HUB_CONNECTION } from '../../shared/topology';
import { createSalesApi } from './api';
import { createSalesProjection } from './projector';

const deps = productionDeps();
// The process's one settings reader (a time zone changed here applies at once).
const settings = productionStoreSettings();
const api = createSalesApi(deps, settings);
const guard = productionGuard(deps);

app.http('getSales', { methods: ['GET'], route: 'stores/{storeId}/sales', handler: withProblems(guard(staff(pathStore), api.getSales)) });

// No CustomerErased: the sales model keeps no customer ids, so an erasure has nothing to change here.
app.eventHub('projectSales', {
  connection: EVENT_HUB_CONNECTION,
  eventHubName: EVENT_HUB,
  consumerGroup: CONSUMER_GROUPS.sales,
  cardinality: 'many',
  retry: CONSUMER_RETRY,
  handler: eventHubConsumer(
    { name: 'projectSales', accepts: ['OrderPlaced', 'OrderCompleted', 'OrderCancelled'], handle: createSalesProjection(deps, settings) },
    consumerDeps(deps),
  ),
});
