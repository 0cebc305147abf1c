import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, inject } from 'vitest';

const ROOT = path.resolve(__dirname, '..', '..');
const MAIN = path.join(ROOT, 'dist', 'local-host', 'src', 'main.js');

export interface LocalHostOptions {
  /** Extra settings; `TablesConnection` makes the host use that storage instead of its own Azurite. */
  env?: Record<string, string>;
  /** Reuse a data folder (event log, checkpoints, Azurite data) to restart a host where one stopped. */
  dataDir?: string;
  /**
   * Run the host in a process group of its own, as a terminal runs `npm start`, so that `stop` and
   * `kill` signal the whole group: the host and the Azurite it started, together.
   */
  processGroup?: boolean;
}

export interface LocalHost {
  url: string;
  dataDir: string;
  output(): string;
  /** SIGTERM (a service manager's stop): finishes work in flight and exits. */
  stop(): Promise<void>;
  /** Ctrl-C in a terminal: SIGINT (to the whole group with `processGroup`); finishes work in flight and exits. */
  interrupt(): Promise<void>;
  /** A crash: no chance to checkpoint or flush anything. */
  kill(): Promise<void>;
  /** Removes the data folder (after stop or kill). */
  cleanup(): void;
}

/** The fast settings the end-to-end tests run the saga with. */
export const FAST_SAGA = {
  BREW_SECONDS: '1',
  BREW_SWEEP_SCHEDULE: '*/1 * * * * *',
  ORDER_SWEEP_SCHEDULE: '*/2 * * * * *',
  ORDER_NUDGE_AFTER_SECONDS: '5',
  // The sweep's grace period must exceed the intake's bound (checked at start).
  INTAKE_TIMEOUT_SECONDS: '3',
};

/** Starts the built local host (`npm start` without the build) on a free port, as a separate process. */
export async function startLocalHost(options: LocalHostOptions = {}): Promise<LocalHost> {
  const dataDir = options.dataDir ?? mkdtempSync(path.join(tmpdir(), 'cafe-e2e-'));
  const child: ChildProcess = spawn(process.execPath, [MAIN], {
    cwd: ROOT,
    env: { ...process.env, PORT: '0', CAFE_DATA_DIR: dataDir, CAFE_LOG_LEVEL: 'warning', ...FAST_SAGA, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: options.processGroup === true,
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));

  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`The local host did not start in 60 s:\n${output}`)), 60_000);
    const check = () => {
      const match = /Listening on (http:\/\/\S+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    };
    child.stdout?.on('data', check);
    void exited.then(() => {
      clearTimeout(timer);
      reject(new Error(`The local host exited during start:\n${output}`));
    });
  });

  const end = async (signal: NodeJS.Signals) => {
    if (child.exitCode === null && child.signalCode === null) {
      if (options.processGroup) process.kill(-child.pid!, signal);
      else child.kill(signal);
    }
    await exited;
    if (options.processGroup) await groupGone(child.pid!);
  };
  return {
    url,
    dataDir,
    output: () => output,
    stop: () => end('SIGTERM'),
    interrupt: () => end('SIGINT'),
    kill: () => end('SIGKILL'),
    cleanup: () => rmSync(dataDir, { recursive: true, force: true }),
  };
}

/** Waits until no process of the group is left (Azurite may outlive the host by a moment). */
async function groupGone(pgid: number): Promise<void> {
  for (let i = 0; i < 300; i++) {
    if (!isRunning(-pgid)) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`process group ${pgid} is still running 30 s after it was signalled`);
}

export interface Api {
  get<T = unknown>(route: string): Promise<{ status: number; body: T; headers: Headers }>;
  send<T = unknown>(method: string, route: string, body: unknown, headers?: Record<string, string>): Promise<{ status: number; body: T; headers: Headers }>;
}

export function api(base: string): Api {
  async function call<T>(method: string, route: string, body?: unknown, headers: Record<string, string> = {}) {
    const response = await fetch(`${base}${route}`, {
      method,
      headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers },
      ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
    });
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      // not JSON (a page); keep the text
    }
    return { status: response.status, body: parsed as T, headers: response.headers };
  }
  return { get: (route) => call('GET', route), send: (method, route, body, headers) => call(method, route, body, headers) };
}

/** Polls until the check returns a value (not undefined), or fails with the last value seen. */
export async function eventually<T>(check: () => Promise<T | undefined>, what: string, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

export interface Order {
  id: string;
  status: string;
  reason?: string;
  cups: number;
  storeId: string;
  customerId: string;
}

export const isFinal = (o: Order) => o.status === 'completed' || o.status === 'cancelled';

/**
 * One local host on the shared test Azurite for a whole test file: started before its tests, stopped
 * and cleaned up after them. Read `host` and `http` inside the tests (they are set by then).
 */
export function sharedLocalHost(env: Record<string, string> = {}): { host: LocalHost; http: Api } {
  const shared = {} as { host: LocalHost; http: Api };
  beforeAll(async () => {
    shared.host = await startLocalHost({ env: { TablesConnection: inject('tablesConnection'), ...env } });
    shared.http = api(shared.host.url);
  });
  afterAll(async () => {
    await shared.host?.stop();
    shared.host?.cleanup();
  });
  return shared;
}

/** Whether a process still exists (a negative id asks about a whole process group). */
export function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Each final order has exactly one notification, of the matching kind. */
export async function expectOneNotificationEach(http: Api, orders: readonly Order[]): Promise<void> {
  for (const o of orders) {
    const notes = await eventually(async () => {
      const { body } = await http.get<{ kind: string }[]>(`/notifications?customerId=${o.customerId}&orderId=${o.id}`);
      return body.length > 0 ? body : undefined;
    }, `a notification for ${o.id}`);
    expect(notes.map((n) => n.kind)).toEqual([o.status === 'completed' ? 'order-completed' : 'order-cancelled']);
  }
}
