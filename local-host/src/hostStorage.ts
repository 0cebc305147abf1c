import { startEmbeddedStorage, type EmbeddedStorage } from './embeddedStorage';
import type { HostConfig } from './hostConfig';

export interface HostStorage {
  /** Azurite started by this host, when no storage was configured; stopped last. */
  embedded?: EmbeddedStorage;
  /** Where the tables are, for the banner. */
  description: string;
}

/**
 * The app's table storage: the one the environment configures, or Azurite with the storage journal,
 * started here, whose connection string replaces any configured one in the app settings.
 */
export async function startStorage(root: string, config: HostConfig): Promise<HostStorage> {
  const { settings } = config;
  if (process.env.TablesConnection || process.env.TablesConnection__tableServiceUri) {
    return { description: process.env.TablesConnection ? 'the configured TablesConnection' : `${process.env.TablesConnection__tableServiceUri} (identity)` };
  }
  const embedded = await startEmbeddedStorage({ root, dataDir: config.dataDir, logger: config.logger, journal: settings.CAFE_STORAGE_JOURNAL !== 'false' });
  settings.TablesConnection = embedded.connectionString;
  delete settings.TablesConnection__tableServiceUri;
  return { embedded, description: embedded.describe };
}
