import { z } from 'zod';
import { SECURITY, answer, type Paths } from '../../shared/openapi';
import { Problem } from '../../shared/http';

export const Healthy = z.object({ status: z.literal('ok') }).meta({ id: 'Health' });

export const paths: Paths = {
  '/health': {
    get: {
      operationId: 'health',
      tags: ['health'],
      summary: 'Healthy when table storage answers',
      security: SECURITY.anyone,
      responses: {
        '200': answer('Table storage answers.', Healthy, { status: 'ok' }),
        '503': {
          description: 'Table storage is not answering.',
          content: { 'application/problem+json': { schema: Problem, example: { type: 'https://unmanned.cafe/problems/unavailable', title: 'Service unavailable', status: 503, detail: 'Table storage is not answering.' } } },
        },
      },
    },
  },
};
