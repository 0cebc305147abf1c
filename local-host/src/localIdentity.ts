import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { SignJWT, exportJWK, generateKeyPair, importJWK, type JWK } from 'jose';
import { z } from 'zod';
import { LOCAL_TOKEN_ALGORITHM, LOCAL_TOKEN_AUDIENCE, LOCAL_TOKEN_ISSUER, LOCAL_TOKEN_SECONDS } from '../../shared/auth/localTokens';
import { StoreId } from '../../shared/identifiers';

/**
 * With AUTH_MODE=local the host plays the identity provider: `POST /.auth/local/token` signs a short
 * token for the roles and stores asked for. It proves the app's enforcement end to end, not who the
 * caller is: anyone who can reach the host may ask, so it answers this machine only. The signing key
 * is made once and kept in the data folder, so tokens survive a restart of the host; the app gets only
 * the public key (AUTH_LOCAL_JWKS) and verifies with the same code as on Azure.
 */
export const LOCAL_TOKEN_PATH = '/.auth/local/token';

export const TokenRequest = z
  .strictObject({
    roles: z.array(z.enum(['staff', 'operator'])).min(1).max(2),
    stores: z.array(StoreId).max(100).default([]),
    name: z.string().regex(/^[A-Za-z0-9 ._@-]{1,64}$/).optional(),
  })
  .refine((r) => r.roles.includes('operator') || r.stores.length > 0, { message: 'Staff need at least one store', path: ['stores'] });
export type TokenRequest = z.infer<typeof TokenRequest>;

interface KeyFile {
  privateJwk: JWK;
  publicJwk: JWK;
}

async function loadOrCreateKeys(dataDir: string): Promise<KeyFile> {
  const file = path.join(dataDir, 'auth', 'local-signing-key.json');
  if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8')) as KeyFile;
  const { privateKey, publicKey } = await generateKeyPair(LOCAL_TOKEN_ALGORITHM, { extractable: true });
  const kid = randomBytes(8).toString('hex');
  const keys: KeyFile = {
    privateJwk: { ...(await exportJWK(privateKey)), kid, alg: LOCAL_TOKEN_ALGORITHM },
    publicJwk: { ...(await exportJWK(publicKey)), kid, alg: LOCAL_TOKEN_ALGORITHM, use: 'sig' },
  };
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  writeFileSync(`${file}.tmp`, JSON.stringify(keys), { mode: 0o600 });
  renameSync(`${file}.tmp`, file);
  return keys;
}

export interface LocalIdentity {
  /** The public key set the app verifies with (setting AUTH_LOCAL_JWKS). */
  jwks: string;
  issue(request: TokenRequest): Promise<{ token: string; expiresIn: number }>;
}

export async function createLocalIdentity(dataDir: string): Promise<LocalIdentity> {
  const keys = await loadOrCreateKeys(dataDir);
  const privateKey = await importJWK(keys.privateJwk, LOCAL_TOKEN_ALGORITHM);
  return {
    jwks: JSON.stringify({ keys: [keys.publicJwk] }),
    async issue(request) {
      const role = request.roles.includes('operator') ? 'operator' : 'staff';
      const subject = request.name ?? `local-${role}`;
      const token = await new SignJWT({ roles: request.roles, stores: request.stores, name: subject })
        .setProtectedHeader({ alg: LOCAL_TOKEN_ALGORITHM, kid: keys.privateJwk.kid!, typ: 'JWT' })
        .setIssuer(LOCAL_TOKEN_ISSUER)
        .setAudience(LOCAL_TOKEN_AUDIENCE)
        .setSubject(subject)
        .setIssuedAt()
        .setExpirationTime(`${LOCAL_TOKEN_SECONDS}s`)
        .sign(privateKey);
      return { token, expiresIn: LOCAL_TOKEN_SECONDS };
    },
  };
}
