import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import { z } from 'zod';
import { isTimeout } from './deadline';

/** RFC 9457 problem details, the one error shape of the public API. */
export const Problem = z
  .object({
    type: z.url(),
    title: z.string(),
    status: z.int().min(400).max(599),
    detail: z.string(),
    /** The failing fields of a validation error. */
    errors: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  })
  .meta({ id: 'Problem', description: 'RFC 9457 problem details (application/problem+json).' });
export type Problem = z.infer<typeof Problem>;

const PROBLEM_BASE = 'https://unmanned.cafe/problems/';
/** The largest body any route takes; orders and stock changes are far smaller. */
export const MAX_BODY_BYTES = 16 * 1024;

export class HttpError extends Error {
  constructor(
    readonly problem: Problem,
    options?: { cause?: unknown; headers?: Record<string, string> },
  ) {
    super(problem.detail, options);
    this.name = 'HttpError';
    this.headers = options?.headers ?? {};
  }

  /** Headers the refusal needs (`WWW-Authenticate` on a 401, `Retry-After`). */
  readonly headers: Record<string, string>;
}

export function problem(
  status: number,
  slug: string,
  title: string,
  detail: string,
  errors?: Problem['errors'],
  headers?: Record<string, string>,
): HttpError {
  return new HttpError({ type: PROBLEM_BASE + slug, title, status, detail, ...(errors ? { errors } : {}) }, headers ? { headers } : undefined);
}

export const notFound = (detail: string) => problem(404, 'not-found', 'Not found', detail);

export function problemResponse(p: Problem, headers: Record<string, string> = {}): HttpResponseInit {
  return {
    status: p.status,
    headers: { 'content-type': 'application/problem+json; charset=utf-8', ...headers },
    body: JSON.stringify(p),
  };
}

export function json(status: number, body: unknown, headers: Record<string, string> = {}): HttpResponseInit {
  return {
    status,
    headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', ...headers },
    body: JSON.stringify(body),
  };
}

function issuesToErrors(issues: z.core.$ZodIssue[]): Problem['errors'] {
  return issues.flatMap((issue) => {
    const base = issue.path.map(String).join('.');
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({ path: base ? `${base}.${key}` : key, message: 'Unknown field' }));
    }
    return [{ path: base, message: issue.message }];
  });
}

export function validationProblem(issues: z.core.$ZodIssue[], what = 'request body'): HttpError {
  return problem(400, 'validation', 'Invalid request', `The ${what} is not valid.`, issuesToErrors(issues));
}

/**
 * Reads a JSON body within a size limit and validates it; every failure is a 400 or 413 problem. The
 * body is read as JSON whatever its declared type, since `curl -d` labels JSON as a form.
 */
export async function parseJsonBody<S extends z.ZodType>(request: HttpRequest, schema: S): Promise<z.infer<S>> {
  const text = await request.text();
  if (Buffer.byteLength(text) > MAX_BODY_BYTES) {
    throw problem(413, 'payload-too-large', 'Payload too large', `The body must be at most ${MAX_BODY_BYTES} bytes.`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw problem(400, 'malformed-json', 'Malformed JSON', 'The request body is not valid JSON.');
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw validationProblem(parsed.error.issues);
  return parsed.data;
}

export function parseWith<S extends z.ZodType>(schema: S, value: unknown, what: string): z.infer<S> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw validationProblem(parsed.error.issues, what);
  return parsed.data;
}

/** The query string as an object; an empty value (`?status=`) counts as absent. */
export function queryObject(request: HttpRequest): Record<string, string> {
  return Object.fromEntries([...request.query.entries()].filter(([, value]) => value !== ''));
}

/** A path id of the wrong shape names nothing: 404, like an id that does not exist. */
export function pathId(schema: z.ZodType<string>, value: string | undefined, what: string): string {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw notFound(`There is no ${what} ${value ?? ''}.`);
  return parsed.data;
}

export type Handler = (request: HttpRequest, context: InvocationContext) => Promise<HttpResponseInit>;

/** A declared length over the cap is refused before anything reads the body (parseJsonBody checks the real size). */
function refuseLargeBody(request: HttpRequest): void {
  const declared = Number(request.headers.get('content-length') ?? 0);
  if (Number.isFinite(declared) && declared > MAX_BODY_BYTES) {
    throw problem(413, 'payload-too-large', 'Payload too large', `The body must be at most ${MAX_BODY_BYTES} bytes.`);
  }
}

const NETWORK_ERRORS = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'ENOTFOUND', 'EAI_AGAIN', 'EPIPE', 'REQUEST_SEND_ERROR']);

/** A dependency that did not answer (in time) or answered "busy": the client may try again. */
function isUnavailable(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  if (isTimeout(error)) return true;
  const { statusCode, code } = error as { statusCode?: unknown; code?: unknown };
  return statusCode === 503 || statusCode === 500 || (typeof code === 'string' && NETWORK_ERRORS.has(code));
}

/**
 * Turns thrown HttpErrors into their problem response; anything else is a bug or an outage, so it is
 * logged and answered with a 500 problem that leaks no internals.
 */
export function withProblems(handler: Handler): Handler {
  return async function handleWithProblems(request, context) {
    try {
      refuseLargeBody(request);
      return await handler(request, context);
    } catch (error) {
      if (error instanceof HttpError) return problemResponse(error.problem, error.headers);
      if (isUnavailable(error)) {
        context.warn('a dependency is unavailable', error);
        return problemResponse(
          {
            type: PROBLEM_BASE + 'unavailable',
            title: 'Service unavailable',
            status: 503,
            detail: 'Storage is not answering; try again shortly (an order is safe to retry with the same Idempotency-Key).',
          },
          { 'retry-after': '5' },
        );
      }
      context.error('unhandled error', error);
      return problemResponse({
        type: PROBLEM_BASE + 'internal',
        title: 'Internal error',
        status: 500,
        detail: 'The request could not be completed; try again (an order is safe to retry with the same Idempotency-Key).',
      });
    }
  };
}
