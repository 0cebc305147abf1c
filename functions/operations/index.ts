import { app } from '@azure/functions';
import { productionDeps } from '../../shared/deps';
import { withProblems } from '../../shared/http';
import { eventReader } from '../../shared/eventReader';
import { createDeadLetterApi } from './deadLetters';
import { createReplayApi } from './replay';

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
