import { app } from '@azure/functions';
import { productionDeps } from '../../shared/deps';
import { withProblems } from '../../shared/http';
import { createDeadLetterApi } from './deadLetters';

const api = createDeadLetterApi(productionDeps());

// Operator routes: on Azure they need a function key (the local hosts do not check keys).
app.http('listDeadLetters', { methods: ['GET'], route: 'deadletters', authLevel: 'function', handler: withProblems(api.listDeadLetters) });
app.http('replayDeadLetter', {
  methods: ['POST'],
  route: 'deadletters/{consumer}/{key}/replay',
  authLevel: 'function',
  handler: withProblems(api.replayDeadLetter),
});
