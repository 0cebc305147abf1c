import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import { config, type AuthConfig } from '../config';
import type { ServiceDeps } from '../deps';
import { HttpError, problem, type Handler } from '../http';
import { TABLES } from '../topology';
import { storesOf } from './assignments';
import { auditEntry, record } from './audit';
import { OPEN_CALLER, decide, isOperator, type Caller, type Requirement } from './policy';
import { InvalidTokenError, KeysUnavailableError, createTokenVerifier, type SignedInMode } from './tokens';

/** How a route says who may call it: a requirement worked out from the request (its store, say). */
export type Rule = (request: HttpRequest) => Requirement;
/** A route handler behind the guard; it learns who called, for lists limited to the caller's stores. */
export type GuardedHandler = (request: HttpRequest, context: InvocationContext, caller: Caller) => Promise<HttpResponseInit>;

export const anyone: Rule = () => ({ kind: 'anyone' });
export const operators: Rule = () => ({ kind: 'operator' });
/** Staff (and operators); when `store` names the store the request acts on, staff must serve it. */
export const staff =
  (store?: (request: HttpRequest) => string | undefined): Rule =>
  (request) => {
    const named = store?.(request);
    return named ? { kind: 'staff', store: named } : { kind: 'staff' };
  };
export const pathStore = (request: HttpRequest) => request.params.storeId;
export const queryStore = (request: HttpRequest) => request.query.get('storeId') || undefined;

const REALM = 'Bearer realm="unmanned-cafe"';

function unauthorized(detail: string, error?: 'invalid_token' | 'invalid_request'): HttpError {
  const challenge = error ? `${REALM}, error="${error}", error_description="${detail.replace(/"/g, "'")}"` : REALM;
  return problem(401, 'unauthorized', 'Unauthorized', detail, undefined, { 'www-authenticate': challenge });
}

const forbidden = (detail: string) => problem(403, 'forbidden', 'Forbidden', detail);

/** Reads the caller from `Authorization: Bearer`; no header is an anonymous caller, a bad token a 401. */
export function createAuthenticator(auth: SignedInMode, deps: Pick<ServiceDeps, 'table'>, verify = createTokenVerifier(auth)) {
  return async function authenticate(request: HttpRequest): Promise<Caller | undefined> {
    const header = request.headers.get('authorization');
    if (!header) return undefined;
    const match = /^Bearer ([A-Za-z0-9._~+/-]+=*)$/i.exec(header.trim());
    if (!match) throw unauthorized('Send the token as Authorization: Bearer <token>.', 'invalid_request');
    let identity;
    try {
      identity = await verify(match[1]!);
    } catch (error) {
      if (error instanceof KeysUnavailableError) {
        throw problem(503, 'unavailable', 'Service unavailable', 'Sign-in cannot be checked right now; try again shortly.', undefined, { 'retry-after': '5' });
      }
      if (error instanceof InvalidTokenError) throw unauthorized(error.message, 'invalid_token');
      throw error;
    }
    const caller: Caller = { id: identity.id, roles: identity.roles, stores: [], authenticated: true, ...(identity.name ? { name: identity.name } : {}) };
    if (isOperator(caller)) return { ...caller, stores: 'all' };
    if (!caller.roles.includes('staff')) return caller;
    const stores = auth.mode === 'local' ? (identity.stores ?? []) : await storesOf(await deps.table(TABLES.staffStores), identity.id);
    return { ...caller, stores };
  };
}

const isWrite = (request: HttpRequest) => !['GET', 'HEAD', 'OPTIONS'].includes(request.method.toUpperCase());

/**
 * The one place that decides who may call a route: `guard(staff(pathStore), api.setStock)`. It answers
 * 401 (with `WWW-Authenticate`) without a valid identity and 403 for the wrong role or store, before the
 * handler runs, so a refused request writes nothing; and it records every staff or operator write,
 * done or refused, in the audit trail.
 */
export function createGuard(deps: Pick<ServiceDeps, 'table' | 'now'>, auth: AuthConfig = config().auth) {
  const authenticate = auth.mode === 'off' ? async () => OPEN_CALLER : createAuthenticator(auth, deps);

  async function audit(context: InvocationContext, caller: Caller, request: HttpRequest, status: number, storeId: string | undefined) {
    try {
      const action = `${request.method.toUpperCase()} ${new URL(request.url).pathname}`;
      await record(await deps.table(TABLES.audit), auditEntry(caller, action, status, deps.now(), storeId));
    } catch (error) {
      // The write itself is done (or refused); losing its record must not turn it into an error. The
      // log line keeps the who and what.
      context.error(`audit trail not written: ${caller.id} ${request.method} ${request.url} -> ${status}`, error);
    }
  }

  return function guard(rule: Rule, handler: GuardedHandler): Handler {
    return async function guarded(request, context) {
      const requirement = rule(request);
      const caller = requirement.kind === 'anyone' ? OPEN_CALLER : await authenticate(request);
      const decision = decide(requirement, caller);
      const storeId = requirement.kind === 'staff' ? requirement.store : undefined;
      const audited = caller !== undefined && requirement.kind !== 'anyone' && isWrite(request);
      if (!decision.allowed) {
        if (audited) await audit(context, caller, request, decision.status, storeId);
        throw decision.status === 401 ? unauthorized(decision.detail) : forbidden(decision.detail);
      }
      try {
        const response = await handler(request, context, caller ?? OPEN_CALLER);
        if (audited) await audit(context, caller, request, response.status ?? 200, storeId);
        return response;
      } catch (error) {
        if (audited) await audit(context, caller, request, error instanceof HttpError ? error.problem.status : 500, storeId);
        throw error;
      }
    };
  };
}

let shared: ReturnType<typeof createGuard> | undefined;

/** The process's guard, on the real tables and the configured mode. */
export function productionGuard(deps: Pick<ServiceDeps, 'table' | 'now'>) {
  shared ??= createGuard(deps);
  return shared;
}
