import type { HostConfig } from './hostConfig';
import { EVENT_LOG_PATH } from './httpServer';
import { createLocalIdentity, type LocalIdentity } from './localIdentity';

/**
 * Points the app at this host and hands it its settings through the environment, as the Functions
 * host does: events go to this host's event log, and with AUTH_MODE=local this host signs the tokens
 * and gives the app only the public key (the identity is returned for the token endpoint).
 */
export async function prepareAppSettings(config: HostConfig): Promise<LocalIdentity | undefined> {
  const { settings, host, port } = config;
  // The app publishes to this host's durable event log instead of an Event Hubs namespace.
  // Reach the log on the address the host listens on (loopback when it listens on every address).
  const reachable = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
  settings.EventHubConnection = `LocalEventLog=http://${reachable}:${port}${EVENT_LOG_PATH}`;
  delete settings.EventHubConnection__fullyQualifiedNamespace;
  let identity: LocalIdentity | undefined;
  if (config.authMode === 'local') {
    identity = await createLocalIdentity(config.dataDir);
    settings.AUTH_LOCAL_JWKS = identity.jwks;
  }
  for (const [key, value] of Object.entries(settings)) if (value !== undefined) process.env[key] = value;
  for (const key of ['TablesConnection__tableServiceUri', 'EventHubConnection__fullyQualifiedNamespace']) if (settings[key] === undefined) delete process.env[key];
  return identity;
}
