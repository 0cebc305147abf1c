import { app } from '@azure/functions';
import { operators, productionGuard } from '../../shared/auth/guard';
import { productionDeps } from '../../shared/deps';
import { withProblems } from '../../shared/http';
import { eventReader } from '../../shared/eventReader';
import { createAccessApi } from './access';
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
