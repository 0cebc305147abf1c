import { app } from '@azure/functions';
import { eventHubConsumer } from '../../shared/consumer';
import { consumerDeps, productionDeps } from '../../shared/deps';
import { withProblems } from '../../shared/http';
import { productionGuard, staff } from '../../shared/auth/guard';
import { withErasure } from '../../shared/erasure';
import { createBeverageErasure } from './erasure';
import { CONSUMER_RETRY } from '../../shared/retry';
import { productionStoreSettings } from '../../shared/storeSettings';
import { CONSUMER_GROUPS, EVENT_HUB, EVENT_HUB_CONNECTION } from '../../shared/topology';
import { createBeveragesApi } from './api';
import { createBrewer } from './brewer';

const deps = productionDeps();
// The process's one settings reader: machines or brewing times changed here apply at once.
const brewer = createBrewer(deps, { completeWhenDue: true, storeSettings: productionStoreSettings() });

const guard = productionGuard(deps);

app.http('listBeverages', { methods: ['GET'], route: 'beverages', handler: withProblems(guard(staff(), createBeveragesApi(deps).listBeverages)) });

app.eventHub('brewBeverages', {
  connection: EVENT_HUB_CONNECTION,
  eventHubName: EVENT_HUB,
  consumerGroup: CONSUMER_GROUPS.beverages,
  cardinality: 'many',
  retry: CONSUMER_RETRY,
  handler: eventHubConsumer(
    { name: 'brewBeverages', accepts: ['CupsReserved', 'CancelRequested', 'CustomerErased'], handle: withErasure(brewer.brew, createBeverageErasure(deps)) },
    consumerDeps(deps),
  ),
});

app.timer('completeBeverages', {
  schedule: '%BREW_SWEEP_SCHEDULE%',
  handler: brewer.completeReady,
});
