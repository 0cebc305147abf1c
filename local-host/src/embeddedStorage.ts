import path from 'node:path';
import { startAzurite, tableConnectionString, type AzuriteProcess } from './azurite';
import { startDurableTableProxy, type DurableTableProxy, type ProxyStats } from './durableTableProxy';
import { replayWrites } from './journalReplay';
import type { Logger } from './logger';
import { StorageJournal, type JournalStats } from './storageJournal';

/** How often Azurite is asked to save, which lets the journal drop what the save covers. */
const CHECKPOINT_MS = 5_000;

export interface EmbeddedStorage {
  connectionString: string;
  describe: string;
  status(): { journal?: JournalStats; proxy?: ProxyStats; lastCheckpointAt?: string };
  /** After the app has stopped: a last save, then Azurite ends. */
  stop(): Promise<void>;
}

/**
 * The table service `npm start` runs by itself: Azurite, with the storage journal and its proxy in
 * front, so that every write the app was told succeeded survives a crash of the whole process group
 * (see storageJournal.ts and durableTableProxy.ts). Start order: Azurite loads its last save, the
 * journal's segments are replayed into it and saved, and only then does the app get an endpoint.
 *
 * `journal: false` is for measuring the journal's cost: Azurite then only saves every few seconds
 * (as its own autosave used to) and a crash loses the writes since.
 */
export async function startEmbeddedStorage(options: { root: string; dataDir: string; logger: Logger; journal: boolean }): Promise<EmbeddedStorage> {
  const { logger } = options;
  const azurite: AzuriteProcess = await startAzurite(options.root, path.join(options.dataDir, 'azurite'), logger);
  let journal: StorageJournal | undefined;
  let proxy: DurableTableProxy | undefined;
  if (options.journal) {
    journal = await StorageJournal.open(path.join(options.dataDir, 'storage-journal'));
    await recover(azurite, journal, logger);
    proxy = await startDurableTableProxy({
      targetPort: azurite.port,
      journal,
      logger,
      onJournalFailure(error) {
        // Azurite now holds a write the journal does not: acknowledging anything more could lose it.
        logger.error('storage', `the storage journal could not be written; stopping so a restart recovers from it: ${String(error)}`);
        process.exit(70);
      },
    });
  }

  let lastCheckpointAt: string | undefined;
  let checkpointing: Promise<void> | undefined;
  const checkpoint = async () => {
    if (journal && !journal.dirty && journal.pendingSegments.length === 0) return;
    const covered = journal ? await journal.rotate() : [];
    await azurite.save();
    if (journal) await journal.drop(covered);
    lastCheckpointAt = new Date().toISOString();
  };
  const timer = setInterval(() => {
    checkpointing ??= checkpoint()
      .catch((error: unknown) => logger.warn('storage', `checkpoint failed (the journal keeps everything): ${String(error)}`))
      .finally(() => (checkpointing = undefined));
  }, CHECKPOINT_MS);
  timer.unref();

  const port = proxy?.port ?? azurite.port;
  return {
    connectionString: tableConnectionString(port),
    describe: journal
      ? `Azurite on 127.0.0.1:${azurite.port} behind the storage journal on 127.0.0.1:${port}, data in ${path.dirname(azurite.location)}`
      : `Azurite on 127.0.0.1:${azurite.port} WITHOUT the storage journal (CAFE_STORAGE_JOURNAL=false: a crash loses recent writes), data in ${azurite.location}`,
    status: () => ({ ...(journal ? { journal: journal.stats } : {}), ...(proxy ? { proxy: proxy.stats } : {}), ...(lastCheckpointAt ? { lastCheckpointAt } : {}) }),
    async stop() {
      clearInterval(timer);
      await checkpointing;
      await proxy?.close();
      try {
        await checkpoint();
      } catch (error) {
        logger.warn('storage', `the last save failed; the journal replays at the next start: ${String(error)}`);
      }
      await journal?.close();
      await azurite.stop();
    },
  };
}

/** Replays what the last run journaled but Azurite had not saved, then saves it. */
async function recover(azurite: AzuriteProcess, journal: StorageJournal, logger: Logger): Promise<void> {
  const segments = [...journal.pendingSegments];
  if (segments.length === 0) return;
  const started = Date.now();
  const writes = await StorageJournal.read(segments);
  await replayWrites(azurite.connectionString, writes);
  await azurite.save();
  await journal.drop(segments);
  logger.info('storage', `recovered ${writes.length} journaled write(s) from ${segments.length} segment(s) in ${Date.now() - started} ms`);
}
