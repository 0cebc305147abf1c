import { spawn } from 'node:child_process';
import path from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';

const PRELOAD = path.resolve(__dirname, '../../local-host/azurite-preload.cjs');

const started: ChildProcess[] = [];
// A preload that failed a test may have left its stand-in running: SIGKILL is the one signal it cannot hold.
afterEach(() => {
  for (const child of started.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});

/** A stand-in for Azurite under the preload: `script` runs as its main module, with the host's IPC channel. */
function underPreload(script: string) {
  const child = spawn(process.execPath, ['--require', PRELOAD, '-e', script], { stdio: ['ignore', 'pipe', 'inherit', 'ipc'] });
  started.push(child);
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const within = (ms: number) => Promise.race([exited.then(() => true), new Promise<boolean>((resolve) => setTimeout(() => resolve(false), ms))]);
  return { child, output: () => output, within };
}

const settle = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("the local host's Azurite preload", () => {
  it('keeps the store up through a SIGINT to the group (Ctrl-C), and closes it when the host lets go', async () => {
    // Like Azurite's table server: it closes (here, exits) on SIGINT once it is up.
    const azurite = underPreload("process.once('SIGINT', () => { console.log('closing'); process.exit(0); }); console.log('up'); setInterval(() => {}, 1000);");
    await settle(300);
    azurite.child.kill('SIGINT');
    expect(await azurite.within(500)).toBe(false);
    azurite.child.disconnect();
    expect(await azurite.within(5_000)).toBe(true);
    expect(azurite.output()).toMatch(/up\s+closing/);
  });

  it('exits when the host goes away while the store is still starting, instead of lingering unstoppable', async () => {
    // Still starting: no SIGINT listener registered yet.
    const azurite = underPreload('setInterval(() => {}, 1000);');
    await settle(300);
    azurite.child.disconnect();
    expect(await azurite.within(5_000)).toBe(true);
  });
});
