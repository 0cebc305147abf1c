import { spawn, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { mkdir } from 'node:fs/promises';
import { createServer } from 'node:net';
import path from 'node:path';
import type { Logger } from './logger';

/** Azurite's well-known development account (public, documented, not a secret). */
const DEV_ACCOUNT = 'devstoreaccount1';
const DEV_KEY = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

export function tableConnectionString(port: number, host = '127.0.0.1'): string {
  return `DefaultEndpointsProtocol=http;AccountName=${DEV_ACCOUNT};AccountKey=${DEV_KEY};TableEndpoint=http://${host}:${port}/${DEV_ACCOUNT};`;
}

/**
 * A free port, held (listened on) until `release`: a caller that needs the number long before it can
 * listen keeps it from other processes meanwhile, and releases it just before its own listen.
 */
export function reservePort(host = '127.0.0.1'): Promise<{ port: number; release: () => Promise<void> }> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, host, () => {
      const { port } = server.address() as { port: number };
      resolve({ port, release: () => new Promise<void>((done) => server.close(() => done())) });
    });
  });
}

export async function freePort(host = '127.0.0.1'): Promise<number> {
  const { port, release } = await reservePort(host);
  await release();
  return port;
}

export interface AzuriteProcess {
  port: number;
  pid: number;
  connectionString: string;
  location: string;
  /** Saves the tables to disk, durably (fsynced); everything applied before the call is in the save. */
  save(): Promise<void>;
  /** Saves and ends Azurite. */
  stop(): Promise<void>;
}

/**
 * Starts Azurite's table service from node_modules as a child process, with its data in `location`.
 * The child is tied to this process by an IPC channel, so it saves and shuts down when the host ends;
 * its saves are the host's to ask for (see azurite-preload.cjs).
 */
export async function startAzurite(projectRoot: string, location: string, logger: Logger): Promise<AzuriteProcess> {
  await mkdir(location, { recursive: true });
  const port = await freePort();
  const main = createRequire(path.join(projectRoot, 'package.json')).resolve('azurite/dist/src/table/main.js');
  const child: ChildProcess = spawn(
    process.execPath,
    [
      '--require', path.join(projectRoot, 'local-host', 'azurite-preload.cjs'),
      main,
      '--tableHost', '127.0.0.1',
      '--tablePort', String(port),
      '--location', location,
      '--silent',
      '--skipApiVersionCheck',
      '--disableTelemetry',
    ],
    { stdio: ['ignore', 'pipe', 'pipe', 'ipc'] },
  );
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let output = '';
  await new Promise<void>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('successfully started')) resolve();
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    void exited.then((code) => reject(new Error(`Azurite exited (code ${code}) before it started:\n${output}`)));
    setTimeout(() => reject(new Error(`Azurite did not start within 30 s:\n${output}`)), 30_000).unref();
  });
  child.stdout?.removeAllListeners('data');
  child.stderr?.on('data', (chunk: Buffer) => logger.warn('azurite', chunk.toString().trim()));
  const saves = new Map<number, { resolve: () => void; reject: (error: Error) => void }>();
  let saveIds = 0;
  child.on('message', (message: { type?: string; id?: number; error?: string }) => {
    if (message?.type !== 'cafe-saved' || message.id === undefined) return;
    const waiter = saves.get(message.id);
    saves.delete(message.id);
    if (message.error) waiter?.reject(new Error(`Azurite could not save: ${message.error}`));
    else waiter?.resolve();
  });
  void exited.then((code) => {
    for (const waiter of saves.values()) waiter.reject(new Error(`Azurite exited (code ${code}) before it saved`));
    saves.clear();
  });
  return {
    port,
    pid: child.pid!,
    location,
    connectionString: tableConnectionString(port),
    save() {
      return new Promise<void>((resolve, reject) => {
        if (!child.connected) return reject(new Error('Azurite is not running'));
        const id = ++saveIds;
        saves.set(id, { resolve, reject });
        child.send({ type: 'cafe-save', id });
      });
    },
    async stop() {
      if (child.exitCode !== null) return;
      if (child.connected) child.disconnect();
      // Disconnecting makes it save and close; a save of a large store can take a while.
      const killer = setTimeout(() => child.kill('SIGKILL'), 60_000);
      await exited;
      clearTimeout(killer);
    },
  };
}
