import { app } from '@azure/functions';
import { eventHubConsumer } from '../../shared/consumer';
import { consumerDeps, productionDeps } from '../../shared/deps';
import { withProblems } from '../../shared/http';
import { pathStore, productionGuard, staff } from '../../shared/auth/guard';
import { CONSUMER_RETRY } from '../../shared/retry';
import { productionStoreSettings } from '../../shared/storeSettings';
import { CONSUMER_GROUPS, EVENT_HUB, EVENT_HUB_CONNECTION } from '../../shared/topology';
import { createInventoryApi } from './api';
import { createReservations } from './reservations';

const deps = productionDeps();
// The process's one settings reader: a threshold changed here by PATCH /stores applies at once.
const storeSettings = productionStoreSettings();
const api = createInventoryApi(deps, storeSettings);
const guard = productionGuard(deps);

app.http('setStock', { methods: ['PUT'], route: 'inventories/{storeId}', handler: withProblems(guard(staff(pathStore), api.setStock)) });
app.http('restock', { methods: ['POST'], route: 'inventories/{storeId}/restock', handler: withProblems(guard(staff(pathStore), api.restock)) });
app.http('listStock', { methods: ['GET'], route: 'inventories', handler: withProblems(guard(staff(), api.listStock)) });
app.http('getStock', { methods: ['GET'], route: 'inventories/{storeId}', handler: withProblems(guard(staff(pathStore), api.getStock)) });

app.eventHub('reserveCups', {
  connection: EVENT_HUB_CONNECTION,
  eventHubName: EVENT_HUB,
  consumerGroup: CONSUMER_GROUPS.inventory,
  cardinality: 'many',
  retry: CONSUMER_RETRY,
  handler: eventHubConsumer(
    { name: 'reserveCups', accepts: ['OrderPlaced', 'OrderCancelled'], handle: createReservations(deps, storeSettings) },
    consumerDeps(deps),
  ),
});
