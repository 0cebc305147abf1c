import { app } from '@azure/functions';
import { operators, productionGuard } from '../../shared/auth/guard';
import { productionDeps } from '../../shared/deps';
import { problem, withProblems } from '../../shared/http';
import { createOperationsConsumer, eventReader } from '../../shared/eventReader';
import { createAccessApi } from './access';
import { createDeadLetterApi } from './deadLetters';
import { createReplayApi } from './replay';
import { createCleanup } from './cleanup';
import { azurePositions, createLagApi, localPositions, type PositionSource } from './lag';
import { config } from '../../shared/config';
import { azureCredential } from '../../shared/credential';

let positions: PositionSource | undefined;
/** Locally the event log's own positions; on Azure the hub and the host's checkpoint store. */
function positionSource(): PositionSource {
  if (positions) return positions;
  const { eventHub, checkpointStore } = config();
  if (eventHub.kind === 'localEventLog') return (positions = localPositions(eventHub.endpoint));
  if (!checkpointStore) throw problem(501, 'not-configured', 'Not configured', 'AzureWebJobsStorage__blobServiceUri is not set, so the checkpoints cannot be read.');
  const namespace = eventHub.kind === 'identity' ? eventHub.fullyQualifiedNamespace : (/Endpoint=sb:\/\/([^/;]+)/i.exec(eventHub.connectionString)?.[1] ?? '');
  return (positions = azurePositions({
    hub: createOperationsConsumer(eventHub),
    fullyQualifiedNamespace: namespace,
    blobServiceUri: checkpointStore.blobServiceUri,
    credential: azureCredential(checkpointStore.clientId),
  }));
}

const deps = productionDeps();
const api = createDeadLetterApi(deps);
const replay = createReplayApi({
  get reader() {
    return eventReader();
  },
  get publisher() {
    return deps.publisher;
  },
});
const access = createAccessApi(deps);
const guard = productionGuard(deps);

// Operator routes: an operator's bearer token (AUTH_MODE local or entra); see shared/auth/guard.ts.
app.http('listDeadLetters', { methods: ['GET'], route: 'deadletters', handler: withProblems(guard(operators, api.listDeadLetters)) });
app.http('replayDeadLetter', {
  methods: ['POST'],
  route: 'deadletters/{consumer}/{key}/replay',
  handler: withProblems(guard(operators, api.replayDeadLetter)),
});
app.http('replayEvents', { methods: ['POST'], route: 'operations/replay', handler: withProblems(guard(operators, replay.replayRange)) });
app.http('listAudit', { methods: ['GET'], route: 'audit', handler: withProblems(guard(operators, access.listAudit)) });
app.http('listStaff', { methods: ['GET'], route: 'staff', handler: withProblems(guard(operators, access.listStaff)) });
app.http('assignStaff', { methods: ['PUT'], route: 'staff/{userId}', handler: withProblems(guard(operators, access.assignStaff)) });
app.http('removeStaff', { methods: ['DELETE'], route: 'staff/{userId}', handler: withProblems(guard(operators, access.removeStaff)) });
app.http('consumerLag', { methods: ['GET'], route: 'operations/lag', handler: withProblems(guard(operators, createLagApi(positionSource).consumerLag)) });
app.timer('cleanUpExpired', { schedule: '%CLEANUP_SCHEDULE%', handler: createCleanup(deps) });
