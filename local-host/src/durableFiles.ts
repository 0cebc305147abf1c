import { open } from 'node:fs/promises';

/**
 * Flushes a folder's entries to disk: a file just created (or renamed, or deleted) is only durable
 * once its directory entry is, whatever fsync was done on the file itself.
 */
export async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
