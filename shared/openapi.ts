import { z } from 'zod';
import type { ZodOpenApiOperationObject, ZodOpenApiPathsObject, ZodOpenApiResponseObject } from 'zod-openapi';
import { Problem } from './http';
import { StoreId } from './identifiers';

/**
 * The pieces every service's `openapi.ts` describes its routes with, so a route's description is a
 * few lines next to its handler: the schemas are the ones the handlers parse with and answer with.
 * functions/openapi/document.ts gathers the services' paths into the one document.
 */

export type Paths = ZodOpenApiPathsObject;
export type Operation = ZodOpenApiOperationObject;

/** The security requirement of a route, as the guard in front of it decides (see shared/auth/guard.ts). */
export const SECURITY: Record<'anyone' | 'staff' | 'operator' | 'optional', NonNullable<Operation['security']>> = {
  anyone: [],
  staff: [{ bearer: [] }],
  operator: [{ bearer: [] }],
  /** Anonymous for some requests (by order id), signed in for others. */
  optional: [{}, { bearer: [] }],
};

/** A JSON body with its example; the tests parse every example with its schema. */
export function jsonContent<S extends z.ZodType>(schema: S, example: z.input<S>) {
  return { 'application/json': { schema, example } };
}

/** A success answer; `headers` names the response headers the route sets. */
export function answer<S extends z.ZodType>(description: string, schema: S, example: z.input<S>, headers?: z.ZodObject): ZodOpenApiResponseObject {
  return { description, content: jsonContent(schema, example), ...(headers ? { headers } : {}) };
}

const PROBLEMS: Record<number, { description: string; example: Problem }> = {
  400: {
    description: 'Invalid request: a field, parameter or header is not valid (`errors` lists them).',
    example: { type: 'https://unmanned.cafe/problems/validation', title: 'Invalid request', status: 400, detail: 'The request body is not valid.', errors: [{ path: 'items.0.quantity', message: 'Too big: expected number to be <=20' }] },
  },
  401: {
    description: 'No valid identity: send `Authorization: Bearer <token>` (answered with `WWW-Authenticate`).',
    example: { type: 'https://unmanned.cafe/problems/unauthorized', title: 'Unauthorized', status: 401, detail: 'Sign in: this route needs a bearer token.' },
  },
  403: {
    description: 'Signed in, but not with the role or store this needs.',
    example: { type: 'https://unmanned.cafe/problems/forbidden', title: 'Forbidden', status: 403, detail: 'You do not serve store main.' },
  },
  404: { description: 'Not found.', example: { type: 'https://unmanned.cafe/problems/not-found', title: 'Not found', status: 404, detail: 'There is no order 0123abc.' } },
  409: { description: 'Conflict with the current state.', example: { type: 'https://unmanned.cafe/problems/conflict', title: 'Conflict', status: 409, detail: 'Another request with this Idempotency-Key is in progress; try again.' } },
  410: { description: 'Gone.', example: { type: 'https://unmanned.cafe/problems/expired', title: 'Order expired', status: 410, detail: 'The order is older than the retention.' } },
  412: {
    description: 'The `If-Match` tag is not the current one.',
    example: { type: 'https://unmanned.cafe/problems/precondition-failed', title: 'Precondition failed', status: 412, detail: 'The stock of store main is not the one If-Match names.' },
  },
  413: { description: 'The body is larger than 16 KiB.', example: { type: 'https://unmanned.cafe/problems/payload-too-large', title: 'Payload too large', status: 413, detail: 'The body must be at most 16384 bytes.' } },
  415: {
    description: 'The body is not in a media type this route takes (`Accept-Patch` lists them).',
    example: { type: 'https://unmanned.cafe/problems/unsupported-media-type', title: 'Unsupported media type', status: 415, detail: 'Send the patch as application/merge-patch+json or application/json.' },
  },
  422: {
    description: 'Understood but not processable.',
    example: { type: 'https://unmanned.cafe/problems/idempotency-key-reused', title: 'Idempotency-Key reused', status: 422, detail: 'This Idempotency-Key was used with another body.' },
  },
  429: {
    description: 'Too many orders at once; try again after `Retry-After` seconds.',
    example: { type: 'https://unmanned.cafe/problems/store-busy', title: 'Store busy', status: 429, detail: 'Store main has 20 orders in flight, its limit; try again in 30 s.' },
  },
  500: { description: 'An unexpected error; nothing leaks.', example: { type: 'https://unmanned.cafe/problems/internal', title: 'Internal error', status: 500, detail: 'The request could not be completed; try again.' } },
  501: { description: 'Not configured here.', example: { type: 'https://unmanned.cafe/problems/not-configured', title: 'Not configured', status: 501, detail: 'AzureWebJobsStorage__blobServiceUri is not set.' } },
  503: {
    description: 'A dependency (storage, sign-in keys) is not answering; try again (`Retry-After`).',
    example: { type: 'https://unmanned.cafe/problems/unavailable', title: 'Service unavailable', status: 503, detail: 'Storage is not answering; try again shortly.' },
  },
  507: {
    description: 'The store directory is full: a store whose stock was never set cannot be added.',
    example: { type: 'https://unmanned.cafe/problems/store-directory-full', title: 'Store directory full', status: 507, detail: 'The inventory lists at most 10000 stores; store main cannot be added.' },
  },
};

/**
 * The problem+json answers of a route. Every route wrapped in `withProblems` may answer 500 and 503;
 * guarded routes add 401 and 403 (see `guarded`). `overrides` narrows a status's meaning for the route.
 */
export function problems(statuses: number[], overrides: Partial<Record<number, { description?: string; example?: Problem }>> = {}): Record<string, ZodOpenApiResponseObject> {
  const all = [...new Set([...statuses, 500, 503])].sort((a, b) => a - b);
  return Object.fromEntries(
    all.map((status) => {
      const known = PROBLEMS[status];
      if (!known) throw new Error(`No problem described for status ${status}`);
      const chosen = { ...known, ...overrides[status] };
      return [String(status), { description: chosen.description, content: { 'application/problem+json': { schema: Problem, example: chosen.example } } }];
    }),
  );
}

export const guarded = [401, 403];

/** Headers of list routes: `?limit=`/`?cursor=` pages announce the next page in `Link`. */
export const PagedHeaders = z.object({
  link: z.string().optional().meta({ description: 'The next page: `</path?cursor=...>; rel="next"`; absent on the last page.' }),
});

/** Merges the services' paths; a path and method described twice is a mistake, not an override. */
export function mergePaths(...groups: Paths[]): Paths {
  const merged: Paths = {};
  for (const group of groups) {
    for (const [path, item] of Object.entries(group)) {
      const existing = merged[path] ?? {};
      for (const method of Object.keys(item)) {
        if (method in existing) throw new Error(`${method.toUpperCase()} ${path} is described twice`);
      }
      merged[path] = { ...existing, ...item };
    }
  }
  return merged;
}

/** The `{storeId}` of a store's routes. */
export const StorePath = z.object({ storeId: StoreId.meta({ example: 'main' }) });
