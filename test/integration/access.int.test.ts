import { HttpRequest } from '@azure/functions';
import { SignJWT, createLocalJWKSet, exportJWK, generateKeyPair } from 'jose';
import { describe, expect, it } from 'vitest';
import { assign } from '../../shared/auth/assignments';
import { latest } from '../../shared/auth/audit';
import { createAuthenticator, createGuard, operators, pathStore, staff } from '../../shared/auth/guard';
import { LOCAL_TOKEN_AUDIENCE, LOCAL_TOKEN_ISSUER } from '../../shared/auth/localTokens';
import { OPEN_CALLER, type Caller } from '../../shared/auth/policy';
import { createTokenVerifier } from '../../shared/auth/tokens';
import { parseConfig, type AuthConfig } from '../../shared/config';
import { withProblems } from '../../shared/http';
import { TABLES } from '../../shared/topology';
import { invocationContext } from '../support/context';
import { testDeps } from '../support/deps';

const TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';
const CLIENT = 'f3b1c0de-0000-4000-8000-00000000cafe';
const BASE = { EventHubConnection: 'LocalEventLog=http://127.0.0.1:9', TablesConnection: 'UseDevelopmentStorage=true' };

/** An Entra-shaped setup with a test key standing in for the tenant's key set. */
async function entraSetup() {
  const { privateKey, publicKey } = await generateKeyPair('RS256');
  const jwk = { ...(await exportJWK(publicKey)), kid: 'k1', alg: 'RS256' };
  const auth = parseConfig({ ...BASE, AUTH_MODE: 'entra', AUTH_ENTRA_TENANT_ID: TENANT, AUTH_ENTRA_CLIENT_ID: CLIENT }).auth as Exclude<AuthConfig, { mode: 'off' }>;
  const sign = (claims: Record<string, unknown>) =>
    new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid: 'k1' }).setIssuer(auth.issuer).setAudience(CLIENT).setExpirationTime('5m').sign(privateKey);
  return { auth, sign, verify: createTokenVerifier(auth, createLocalJWKSet({ keys: [jwk] })) };
}

describe('the guard', () => {
  async function localSetup() {
    const { privateKey, publicKey } = await generateKeyPair('ES256');
    const jwk = { ...(await exportJWK(publicKey)), kid: 'l1', alg: 'ES256' };
    const auth: AuthConfig = { mode: 'local', issuer: LOCAL_TOKEN_ISSUER, audience: LOCAL_TOKEN_AUDIENCE, jwks: { keys: [jwk] } };
    const token = (claims: Record<string, unknown>) =>
      new SignJWT(claims).setProtectedHeader({ alg: 'ES256', kid: 'l1' }).setIssuer(LOCAL_TOKEN_ISSUER).setAudience(LOCAL_TOKEN_AUDIENCE).setSubject('sam').setExpirationTime('5m').sign(privateKey);
    const deps = testDeps();
    const guard = createGuard(deps, auth);
    const audited = async () => latest(await deps.table(TABLES.audit), 100);
    return { auth, token, audited, guard };
  }
  const request = (method: string, storeId: string, authorization?: string) =>
    new HttpRequest({ method, url: `http://localhost/inventories/${storeId}`, params: { storeId }, headers: authorization ? { authorization } : {} });

  it('runs the handler only for an allowed caller, and hands it the caller', async () => {
    const { guard, token } = await localSetup();
    const seen: Caller[] = [];
    const handler = withProblems(guard(staff(pathStore), async (_r, _c, caller) => (seen.push(caller), { status: 200 })));
    const ok = await handler(request('PUT', 'main', `Bearer ${await token({ roles: ['staff'], stores: ['main'] })}`), invocationContext().context);
    expect(ok.status).toBe(200);
    expect(seen).toEqual([expect.objectContaining({ id: 'sam', roles: ['staff'], stores: ['main'] })]);

    const other = await handler(request('PUT', 'north', `Bearer ${await token({ roles: ['staff'], stores: ['main'] })}`), invocationContext().context);
    const anonymous = await handler(request('PUT', 'main'), invocationContext().context);
    const garbage = await handler(request('PUT', 'main', 'Bearer not.a.token'), invocationContext().context);
    expect([other.status, anonymous.status, garbage.status]).toEqual([403, 401, 401]);
    expect((anonymous.headers as Record<string, string>)['www-authenticate']).toBe('Bearer realm="unmanned-cafe"');
    expect((garbage.headers as Record<string, string>)['www-authenticate']).toMatch(/^Bearer realm="unmanned-cafe", error="invalid_token"/);
    expect(seen).toHaveLength(1);
  });

  it('records writes by signed-in callers, done and refused, and not reads nor anonymous attempts', async () => {
    const { guard, token, audited } = await localSetup();
    const handler = withProblems(guard(staff(pathStore), async () => ({ status: 200 })));
    const sam = `Bearer ${await token({ roles: ['staff'], stores: ['main'] })}`;
    await handler(request('PUT', 'main', sam), invocationContext().context);
    await handler(request('PUT', 'north', sam), invocationContext().context);
    await handler(request('GET', 'main', sam), invocationContext().context);
    await handler(request('PUT', 'main'), invocationContext().context);
    // Newest first.
    expect(await audited()).toEqual([
      expect.objectContaining({ who: 'sam', action: 'PUT /inventories/north', status: 403, outcome: 'refused', storeId: 'north' }),
      expect.objectContaining({ who: 'sam', action: 'PUT /inventories/main', status: 200, outcome: 'done', storeId: 'main' }),
    ]);
  });

  it('lets everyone through with AUTH_MODE=off, as an operator without a name', async () => {
    const guard = createGuard(testDeps(), { mode: 'off' });
    const seen: Caller[] = [];
    const handler = withProblems(guard(operators, async (_r, _c, caller) => (seen.push(caller), { status: 202 })));
    expect((await handler(request('POST', 'main'), invocationContext().context)).status).toBe(202);
    expect(seen).toEqual([OPEN_CALLER]);
  });

  it('takes a staff member\'s stores from the assignment table with Entra, not from the token', async () => {
    const { auth, sign, verify } = await entraSetup();
    const deps = testDeps();
    await assign(await deps.table(TABLES.staffStores), 'user-7', ['north'], 'olivia', new Date());
    const authenticate = createAuthenticator(auth, deps, verify);
    const caller = await authenticate(request('GET', 'main', `Bearer ${await sign({ oid: 'user-7', roles: ['Staff'], stores: ['main'] })}`));
    expect(caller).toMatchObject({ id: 'user-7', stores: ['north'] });
    const unassigned = await authenticate(request('GET', 'main', `Bearer ${await sign({ oid: 'user-8', roles: ['Staff'], stores: ['main'] })}`));
    expect(unassigned).toMatchObject({ id: 'user-8', stores: [] });
  });
});
