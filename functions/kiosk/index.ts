import { app } from '@azure/functions';
import { pathStore, productionGuard, staff } from '../../shared/auth/guard';
import { eventHubConsumer } from '../../shared/consumer';
import { consumerDeps, productionDeps } from '../../shared/deps';
import { withProblems } from '../../shared/http';
import { config } from '../../shared/config';
import { CONSUMER_RETRY } from '../../shared/retry';
import { CONSUMER_GROUPS, EVENT_HUB, EVENT_HUB_CONNECTION } from '../../shared/topology';
import { createKioskApi } from './api';
import { servePage } from './pages';
import { createKioskProjection } from './projector';
import { createKioskErasure } from './erasure';
import { withErasure } from '../../shared/erasure';
import { RowCache } from '../../shared/rowCache';
import type { Held } from '../../shared/batchedRows';
import type { ViewRow } from './rows';

const deps = productionDeps();
const api = createKioskApi(deps, config().auth.mode);
const guard = productionGuard(deps);
// The views as the projection or the erasure last wrote them: each finds the other's writes unread.
const views = new RowCache<Held<ViewRow>>();

app.http('getKioskOrder', { methods: ['GET'], route: 'kiosk/orders/{id}', handler: withProblems(api.getKioskOrder) });
app.http('listKioskOrders', { methods: ['GET'], route: 'kiosk/orders', handler: withProblems(api.listKioskOrders) });
app.http('listStoreOrders', { methods: ['GET'], route: 'stores/{storeId}/orders', handler: withProblems(guard(staff(pathStore), api.listStoreOrders)) });
app.http('kioskSettings', { methods: ['GET'], route: 'kiosk/settings', handler: withProblems(async () => api.settings()) });
app.http('kioskPage', { methods: ['GET'], route: 'kiosk/{*asset}', handler: withProblems(servePage) });

app.eventHub('projectKiosk', {
  connection: EVENT_HUB_CONNECTION,
  eventHubName: EVENT_HUB,
  consumerGroup: CONSUMER_GROUPS.kiosk,
  cardinality: 'many',
  retry: CONSUMER_RETRY,
  handler: eventHubConsumer(
    {
      name: 'projectKiosk',
      accepts: ['OrderPlaced', 'CupsReserved', 'BrewingStarted', 'OrderCompleted', 'OrderCancelled', 'CustomerErased'],
      handle: withErasure(createKioskProjection(deps, views), createKioskErasure(deps, views)),
    },
    consumerDeps(deps),
  ),
});
