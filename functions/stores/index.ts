import { app } from '@azure/functions';
import { productionGuard, pathStore, staff } from '../../shared/auth/guard';
import { productionDeps } from '../../shared/deps';
import { withProblems } from '../../shared/http';
import { productionStoreSettings } from '../../shared/storeSettings';
import { createStoresApi } from './api';

const deps = productionDeps();
// The process's one reader: intake in this process sees a change made here at once.
const api = createStoresApi(deps, productionStoreSettings());
const guard = productionGuard(deps);

app.http('getStore', { methods: ['GET'], route: 'stores/{storeId}', handler: withProblems(api.getStore) });
app.http('patchStore', { methods: ['PATCH'], route: 'stores/{storeId}', handler: withProblems(guard(staff(pathStore), api.patchStore)) });
