import { z } from 'zod';
import { SECURITY, answer, type Paths } from '../../shared/openapi';

/** The part of the document a client checks before reading the rest. */
export const OpenApiDocument = z.looseObject({ openapi: z.string().startsWith('3.1'), info: z.looseObject({ title: z.string(), version: z.string() }), paths: z.record(z.string(), z.unknown()) }).meta({
  description: 'The OpenAPI 3.1 document.',
});

export const paths: Paths = {
  '/openapi.json': {
    get: {
      operationId: 'openApiDocument',
      tags: ['documentation'],
      summary: 'This description of the API (OpenAPI 3.1)',
      description: 'Generated from the schemas the handlers parse and answer with. Cacheable; honours `If-None-Match`.',
      security: SECURITY.anyone,
      responses: {
        '200': answer('The document.', OpenApiDocument, { openapi: '3.1.0', info: { title: 'Unmanned Cafe', version: '1.0.0' }, paths: {} }, z.object({ etag: z.string() })),
        '304': { description: 'The document has not changed since the `If-None-Match` tag.' },
      },
    },
  },
  '/docs': {
    get: {
      operationId: 'apiDocs',
      tags: ['documentation'],
      summary: 'The same description as a readable page',
      security: SECURITY.anyone,
      responses: { '200': { description: 'The page.', content: { 'text/html': { schema: z.string() } } } },
    },
  },
};
