import { app } from '@azure/functions';
import { productionDeps } from '../../shared/deps';
import { json, problemResponse } from '../../shared/http';
import { getOrUndefined } from '../../shared/tables';
import { TABLES } from '../../shared/topology';
import type { z } from 'zod';
import type { Healthy } from './openapi';

const deps = productionDeps();
const TIMEOUT_MS = 3_000;

/** Healthy when table storage answers: a missing probe row (404) is an answer. */
app.http('health', {
  methods: ['GET'],
  route: 'health',
  handler: async function health(_request, context) {
    try {
      const probe = (async () => getOrUndefined(await deps.table(TABLES.orders), 'health', 'probe'))();
      const timeout = new Promise<never>((_, reject) => setTimeout(() => reject(new Error('table storage did not answer in time')), TIMEOUT_MS).unref());
      await Promise.race([probe, timeout]);
      return json(200, { status: 'ok' } satisfies z.infer<typeof Healthy>);
    } catch (error) {
      context.warn('health check failed', error);
      return problemResponse({
        type: 'https://unmanned.cafe/problems/unavailable',
        title: 'Service unavailable',
        status: 503,
        detail: 'Table storage is not answering.',
      });
    }
  },
});
