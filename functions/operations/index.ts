import { app } from '@azure/functions';
import { productionDeps } from '../../shared/deps';
import { withProblems } from '../../shared/http';
import { eventReader } from '../../shared/eventReader';
import { createDeadLetterApi } from './deadLetters';
import { createReplayApi } from './replay';
import { createCleanup } from './cleanup';
import { azurePositions, createLagApi, localPositions, type PositionSource } from './lag';
import { config } from '../../shared/config';
import { azureCredential } from '../../shared/credential';
import { createOperationsConsumer } from '../../shared/eventReader';
import { problem } from '../../shared/http';

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

// Operator routes: on Azure they need a function key (the local hosts do not check keys).
app.http('listDeadLetters', { methods: ['GET'], route: 'deadletters', authLevel: 'function', handler: withProblems(api.listDeadLetters) });
app.http('replayDeadLetter', {
  methods: ['POST'],
  route: 'deadletters/{consumer}/{key}/replay',
  authLevel: 'function',
  handler: withProblems(api.replayDeadLetter),
});
app.http('replayEvents', { methods: ['POST'], route: 'operations/replay', authLevel: 'function', handler: withProblems(replay.replayRange) });
app.http('consumerLag', { methods: ['GET'], route: 'operations/lag', authLevel: 'function', handler: withProblems(createLagApi(positionSource).consumerLag) });
app.timer('cleanUpExpired', { schedule: '%CLEANUP_SCHEDULE%', handler: createCleanup(deps) });
