import path from 'node:path';
import { reservePort } from './azurite';
import { lockDataDir } from './dataLock';
import { DEFAULT_RETENTION_HOURS } from './eventLog';
import { Logger } from './logger';
import { readLocalSettings, retentionHoursOf } from './settings';

/** What the local host was asked to be: read once at start, checked, and failing fast naming the setting. */
export interface HostConfig {
  /**
   * The app settings as `func start` builds them. The host adds its own connections (storage, event
   * log, sign-in key) before the app is loaded, then hands them to the app through the environment.
   */
  settings: Record<string, string | undefined>;
  logger: Logger;
  /** The address to listen on, and the port (a free one for PORT=0). */
  host: string;
  port: number;
  /** PORT=0: the chosen port is held from start-up until this is called, just before the host listens. */
  releasePort?: () => Promise<void>;
  /** Where Azurite, the event log and the sign-in key keep their files. */
  dataDir: string;
  partitions: number;
  retentionHours: number;
  authMode: string;
}

export async function readHostConfig(root: string): Promise<HostConfig> {
  // func start's order: local.settings.json Values, with the process environment winning.
  const settings: Record<string, string | undefined> = { ...readLocalSettings(root), ...process.env };
  const logger = new Logger(settings.CAFE_LOG_LEVEL ?? 'information');
  const host = settings.HOST ?? '127.0.0.1';
  // Start-up takes seconds (Azurite, journal recovery, the app): a port chosen for PORT=0 stays held
  // until the host listens, so no other process takes it meanwhile.
  const reserved = settings.PORT === '0' ? await reservePort(host) : undefined;
  const port = reserved?.port ?? Number(settings.PORT ?? 7071);
  if (!Number.isInteger(port) || port <= 0 || port > 65_535) throw new Error(`PORT must be a TCP port number, not "${settings.PORT}"`);
  return {
    settings,
    logger,
    host,
    port,
    ...(reserved ? { releasePort: reserved.release } : {}),
    dataDir: path.resolve(root, settings.CAFE_DATA_DIR ?? '.cafe-data'),
    partitions: Number(settings.CAFE_EVENTHUB_PARTITIONS ?? 4),
    retentionHours: retentionHoursOf(settings, DEFAULT_RETENTION_HOURS),
    authMode: settings.AUTH_MODE ?? 'off',
  };
}

/** Takes the data folder for this process (two hosts on one folder would corrupt it) until it exits. */
export function claimDataDir(dataDir: string): void {
  const unlock = lockDataDir(dataDir);
  process.once('exit', unlock);
}
