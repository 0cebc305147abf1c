import { app } from '@azure/functions';
import { eventHubConsumer } from '../../shared/consumer';
import { consumerDeps, productionDeps } from '../../shared/deps';
import { json, withProblems } from '../../shared/http';
import { operators, productionGuard, queryStore, staff } from '../../shared/auth/guard';
import { withErasure } from '../../shared/erasure';
import { createOrderErasure } from './erasure';
import { MENU } from '../../shared/menu';
import { CONSUMER_RETRY } from '../../shared/retry';
import { CONSUMER_GROUPS, EVENT_HUB, EVENT_HUB_CONNECTION } from '../../shared/topology';
import { productionStoreSettings } from '../../shared/storeSettings';
import { createOrdersApi } from './api';
import { createCancelApi } from './cancel';
import { createOrderProgress, type CachedOrder } from './progress';
import { RowCache } from '../../shared/rowCache';
import { createOrderSweep } from './sweep';

const deps = productionDeps();
// Shared by intake and the order consumer of this process: the consumer then finds new orders unread.
const orderCache = new RowCache<CachedOrder>();
// The process's one settings reader: a store closed through this process refuses orders here at once.
const api = createOrdersApi(deps, { orderCache, storeSettings: productionStoreSettings() });
const guard = productionGuard(deps);

app.http('placeOrder', { methods: ['POST'], route: 'orders', handler: withProblems(api.placeOrder) });
app.http('getOrder', { methods: ['GET'], route: 'orders/{id}', handler: withProblems(api.getOrder) });
app.http('cancelOrder', { methods: ['POST'], route: 'orders/{id}/cancel', handler: withProblems(createCancelApi(deps).cancelOrder) });
app.http('listOrders', { methods: ['GET'], route: 'orders', handler: withProblems(guard(staff(queryStore), api.listOrders)) });
app.http('eraseCustomer', { methods: ['DELETE'], route: 'customers/{customerId}', handler: withProblems(guard(operators, api.eraseCustomer)) });
app.http('getMenu', {
  methods: ['GET'],
  route: 'menu',
  handler: async function getMenu() {
    return json(200, MENU, { 'cache-control': 'public, max-age=300' });
  },
});

app.eventHub('trackOrders', {
  connection: EVENT_HUB_CONNECTION,
  eventHubName: EVENT_HUB,
  consumerGroup: CONSUMER_GROUPS.orders,
  cardinality: 'many',
  retry: CONSUMER_RETRY,
  handler: eventHubConsumer(
    {
      name: 'trackOrders',
      // OrderPlaced too: it rebuilds an order the orders table lost (see progress.ts).
      accepts: ['OrderPlaced', 'CupsReserved', 'CupsOutOfStock', 'BrewingStarted', 'BeverageCompleted', 'BrewingCancelled', 'CustomerErased'],
      handle: withErasure(createOrderProgress(deps, orderCache), createOrderErasure(deps)),
    },
    consumerDeps(deps),
  ),
});

app.timer('sweepOpenOrders', {
  schedule: '%ORDER_SWEEP_SCHEDULE%',
  handler: createOrderSweep(deps),
});
