import { SignJWT, createLocalJWKSet, exportJWK, generateKeyPair } from 'jose';
import { describe, expect, it } from 'vitest';
import { decide, rolesFrom, type Caller } from '../../shared/auth/policy';
import { createTokenVerifier, verificationOf } from '../../shared/auth/tokens';
import { ConfigError, parseConfig, type AuthConfig } from '../../shared/config';

const TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';
const CLIENT = 'f3b1c0de-0000-4000-8000-00000000cafe';
const BASE = { EventHubConnection: 'LocalEventLog=http://127.0.0.1:9', TablesConnection: 'UseDevelopmentStorage=true' };

const staffOf = (...stores: string[]): Caller => ({ id: 's', roles: ['staff'], stores, authenticated: true });
const operator: Caller = { id: 'o', roles: ['operator'], stores: 'all', authenticated: true };

describe('the access policy', () => {
  it('answers 401 without an identity, whatever the route needs', () => {
    expect(decide({ kind: 'staff', store: 'main' }, undefined)).toMatchObject({ allowed: false, status: 401 });
    expect(decide({ kind: 'operator' }, undefined)).toMatchObject({ allowed: false, status: 401 });
    expect(decide({ kind: 'anyone' }, undefined)).toEqual({ allowed: true });
  });

  it('lets staff act on their own stores only, and operators everywhere', () => {
    expect(decide({ kind: 'staff', store: 'main' }, staffOf('main'))).toEqual({ allowed: true });
    expect(decide({ kind: 'staff', store: 'north' }, staffOf('main'))).toMatchObject({ allowed: false, status: 403 });
    expect(decide({ kind: 'staff', store: 'north' }, operator)).toEqual({ allowed: true });
    expect(decide({ kind: 'operator' }, staffOf('main'))).toMatchObject({ allowed: false, status: 403 });
    expect(decide({ kind: 'staff' }, { id: 'x', roles: [], stores: [], authenticated: true })).toMatchObject({ allowed: false, status: 403 });
  });

  it('reads Entra app role values and local role names alike, and ignores others', () => {
    expect(rolesFrom(['Staff', 'Operator', 'Admin'])).toEqual(['staff', 'operator']);
    expect(rolesFrom('operator')).toEqual([]);
  });
});

describe('the settings for sign-in', () => {
  it('defaults to off locally', () => {
    expect(parseConfig(BASE).auth).toEqual({ mode: 'off' });
  });

  it('builds the Entra issuer, audience and key set URL from the tenant and client id', () => {
    const auth = parseConfig({ ...BASE, AUTH_MODE: 'entra', AUTH_ENTRA_TENANT_ID: TENANT, AUTH_ENTRA_CLIENT_ID: CLIENT }).auth;
    expect(auth.mode).toBe('entra');
    expect(verificationOf(auth as Exclude<AuthConfig, { mode: 'off' }>)).toEqual({
      issuer: `https://login.microsoftonline.com/${TENANT}/v2.0`,
      audience: CLIENT,
      algorithms: ['RS256'],
      jwksUrl: `https://login.microsoftonline.com/${TENANT}/discovery/v2.0/keys`,
    });
  });

  it.each([
    [{ AUTH_MODE: 'entra', AUTH_ENTRA_CLIENT_ID: CLIENT }, 'AUTH_ENTRA_TENANT_ID'],
    [{ AUTH_MODE: 'entra', AUTH_ENTRA_TENANT_ID: TENANT }, 'AUTH_ENTRA_CLIENT_ID'],
    [{ AUTH_MODE: 'entra', AUTH_ENTRA_TENANT_ID: 'contoso', AUTH_ENTRA_CLIENT_ID: CLIENT }, 'AUTH_ENTRA_TENANT_ID'],
    [{ AUTH_MODE: 'local' }, 'AUTH_LOCAL_JWKS'],
    [{ AUTH_MODE: 'local', AUTH_LOCAL_JWKS: '{"keys":[]}' }, 'AUTH_LOCAL_JWKS'],
    [{ AUTH_MODE: 'maybe' }, 'AUTH_MODE'],
  ])('fails fast naming the setting: %j', (settings, name) => {
    expect(() => parseConfig({ ...BASE, ...settings })).toThrow(ConfigError);
    expect(() => parseConfig({ ...BASE, ...settings })).toThrow(name);
  });

  it('refuses to start on Azure with sign-in off or local', () => {
    for (const mode of [undefined, 'off', 'local']) {
      expect(() => parseConfig({ ...BASE, WEBSITE_SITE_NAME: 'func-cafe', AUTH_LOCAL_JWKS: '{"keys":[{}]}', ...(mode ? { AUTH_MODE: mode } : {}) })).toThrow(/AUTH_MODE.*refused on Azure/);
    }
    expect(parseConfig({ ...BASE, WEBSITE_SITE_NAME: 'func-cafe', AUTH_MODE: 'entra', AUTH_ENTRA_TENANT_ID: TENANT, AUTH_ENTRA_CLIENT_ID: CLIENT }).auth.mode).toBe('entra');
  });
});

/** An Entra-shaped setup with a test key standing in for the tenant's key set. */
async function entraSetup() {
  const { privateKey, publicKey } = await generateKeyPair('RS256');
  const jwk = { ...(await exportJWK(publicKey)), kid: 'k1', alg: 'RS256' };
  const auth = parseConfig({ ...BASE, AUTH_MODE: 'entra', AUTH_ENTRA_TENANT_ID: TENANT, AUTH_ENTRA_CLIENT_ID: CLIENT }).auth as Exclude<AuthConfig, { mode: 'off' }>;
  const sign = (claims: Record<string, unknown>, options: { issuer?: string; audience?: string; expires?: string } = {}) =>
    new SignJWT(claims)
      .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
      .setIssuer(options.issuer ?? `https://login.microsoftonline.com/${TENANT}/v2.0`)
      .setAudience(options.audience ?? CLIENT)
      .setIssuedAt()
      .setExpirationTime(options.expires ?? '5m')
      .sign(privateKey);
  return { auth, sign, verify: createTokenVerifier(auth, createLocalJWKSet({ keys: [jwk] })) };
}

describe('token verification', () => {
  it('accepts an Entra token for this API and reads the object id and app roles', async () => {
    const { sign, verify } = await entraSetup();
    expect(await verify(await sign({ oid: 'user-1', roles: ['Operator'], name: 'Olivia' }))).toEqual({ id: 'user-1', roles: ['operator'], name: 'Olivia' });
  });

  it.each([
    ['another tenant', { issuer: 'https://login.microsoftonline.com/00000000-0000-0000-0000-000000000000/v2.0' }],
    ['another audience', { audience: '00000003-0000-0000-c000-000000000000' }],
    ['an expired token', { expires: '-1m' }],
  ])('refuses %s', async (_, options) => {
    const { sign, verify } = await entraSetup();
    await expect(verify(await sign({ oid: 'user-1', roles: ['Operator'] }, options))).rejects.toThrow(/not valid here|expired/);
  });

  it('refuses a token signed with the local kind of key where Entra is expected', async () => {
    const { verify } = await entraSetup();
    const { privateKey, publicKey } = await generateKeyPair('ES256');
    void publicKey;
    const token = await new SignJWT({ oid: 'x', roles: ['Operator'] })
      .setProtectedHeader({ alg: 'ES256', kid: 'k1' })
      .setIssuer(`https://login.microsoftonline.com/${TENANT}/v2.0`)
      .setAudience(CLIENT)
      .setExpirationTime('5m')
      .sign(privateKey);
    await expect(verify(token)).rejects.toThrow(/not valid here/);
  });
});

