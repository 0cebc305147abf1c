import type { AccessToken, TokenCredential } from '@azure/identity';

/** What a Kafka client's SASL OAUTHBEARER mechanism asks for on every (re)authentication. */
export type OAuthBearerProvider = () => Promise<{ value: string }>;

export interface TokenProviderOptions {
  /** A cached token is replaced this long before it expires, so a reconnect never presents a stale one. */
  refreshBeforeMs?: number;
  now?: () => number;
}

/**
 * Entra ID access tokens for the Event Hubs namespace, for a Kafka client's OAUTHBEARER mechanism. The client
 * asks on every connection to every broker, so one token is reused until shortly before it expires, and
 * concurrent askers share one request to the credential.
 */
export function oauthBearerProvider(credential: TokenCredential, scope: string, options: TokenProviderOptions = {}): OAuthBearerProvider {
  const refreshBeforeMs = options.refreshBeforeMs ?? 5 * 60_000;
  const now = options.now ?? Date.now;
  let cached: AccessToken | undefined;
  let pending: Promise<AccessToken> | undefined;

  const fetchToken = async (): Promise<AccessToken> => {
    const token = await credential.getToken(scope);
    if (!token?.token) throw new Error(`No access token for ${scope}: sign in (az login) or give this identity a role on the hub.`);
    return token;
  };

  return async () => {
    if (!cached || cached.expiresOnTimestamp - refreshBeforeMs <= now()) {
      pending ??= fetchToken().finally(() => (pending = undefined));
      cached = await pending;
    }
    return { value: cached.token };
  };
}
