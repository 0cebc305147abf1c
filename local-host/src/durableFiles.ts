import { existsSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import path from 'node:path';

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

/**
 * Opens a file for writing, and when that created it, makes its name durable too: a new file's name
 * must survive a power cut as well as what is then written and synced into it. `flags` for a file
 * that exists, `createFlags` for one that does not.
 */
export async function openDurably(file: string, flags: string, createFlags = flags): Promise<FileHandle> {
  const created = !existsSync(file);
  const handle = await open(file, created ? createFlags : flags);
  if (created) await syncDirectory(path.dirname(file));
  return handle;
}
