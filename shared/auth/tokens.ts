import { createLocalJWKSet, createRemoteJWKSet, jwtVerify, type JSONWebKeySet, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import type { AuthConfig } from '../config';
import { StoreId } from '../identifiers';
import { LOCAL_TOKEN_ALGORITHM } from './localTokens';
import { rolesFrom, type Role } from './policy';

/** Who a valid token names; the stores come from the token only in local mode. */
export interface Identity {
  id: string;
  name?: string;
  roles: Role[];
  stores?: string[];
}

export type SignedInMode = Exclude<AuthConfig, { mode: 'off' }>;

/** A token that proves nothing (forged, expired, for another audience, ...): the caller gets a 401. */
export class InvalidTokenError extends Error {
  override name = 'InvalidTokenError';
}

/** The key source did not answer (Entra's key endpoint unreachable): a 503, not the caller's fault. */
export class KeysUnavailableError extends Error {
  override name = 'KeysUnavailableError';
}

/**
 * What a token must satisfy. Algorithms are pinned per mode, so a token signed with the local host's
 * kind of key can never pass on Azure, nor the other way round; the signature, `exp` and `nbf` are
 * checked by jose.
 */
export function verificationOf(auth: SignedInMode): { issuer: string; audience: string; algorithms: string[]; jwksUrl?: string } {
  return auth.mode === 'entra'
    ? { issuer: auth.issuer, audience: auth.audience, algorithms: ['RS256'], jwksUrl: auth.jwksUrl }
    : { issuer: auth.issuer, audience: auth.audience, algorithms: [LOCAL_TOKEN_ALGORITHM] };
}

function identityOf(auth: SignedInMode, payload: JWTPayload): Identity {
  // Entra: the object id is the user's stable key (names and e-mail addresses change); local: the subject.
  const id = auth.mode === 'entra' ? payload.oid : payload.sub;
  if (typeof id !== 'string' || id.length === 0) throw new InvalidTokenError(`The token has no ${auth.mode === 'entra' ? 'oid' : 'sub'} claim.`);
  const name = typeof payload.name === 'string' ? payload.name : typeof payload.preferred_username === 'string' ? payload.preferred_username : undefined;
  const identity: Identity = { id, roles: rolesFrom(payload.roles), ...(name ? { name } : {}) };
  if (auth.mode === 'local' && Array.isArray(payload.stores)) {
    identity.stores = payload.stores.filter((s): s is string => StoreId.safeParse(s).success);
  }
  return identity;
}

const UNAVAILABLE_CODES = new Set(['ERR_JWKS_TIMEOUT', 'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'ENOTFOUND', 'EAI_AGAIN']);

/** Verifies bearer tokens for one mode with jose: one code path for the local host's tokens and Entra's. */
export function createTokenVerifier(auth: SignedInMode, keys?: JWTVerifyGetKey): (token: string) => Promise<Identity> {
  const rules = verificationOf(auth);
  const keySource =
    keys ?? (auth.mode === 'entra' ? createRemoteJWKSet(new URL(auth.jwksUrl)) : createLocalJWKSet(auth.jwks as unknown as JSONWebKeySet));
  return async function verify(token) {
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, keySource, {
        issuer: rules.issuer,
        audience: rules.audience,
        algorithms: rules.algorithms,
        requiredClaims: ['exp'],
        clockTolerance: 30,
      }));
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      if (typeof code === 'string' && UNAVAILABLE_CODES.has(code)) throw new KeysUnavailableError('The token signing keys could not be fetched.', { cause: error });
      throw new InvalidTokenError(code === 'ERR_JWT_EXPIRED' ? 'The token has expired.' : 'The token is not valid here.', { cause: error });
    }
    return identityOf(auth, payload);
  };
}
