import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import type { InvocationRequest } from './invoker';
import type { Logger } from './logger';

/** Messages between the host and its second worker process (over the child's IPC channel). */
export type ToWorker = { type: 'invoke'; id: number; functionName: string; request: InvocationRequest };
export type FromWorker =
  | { type: 'ready'; pid: number }
  | { type: 'failed'; error: string }
  | { type: 'done'; id: number; error?: string };

/**
 * A second Functions worker in its own process, loading the same built app (so it has its own module
 * state and caches), for CAFE_CONCURRENT_DELIVERY: during a partition rebalance two instances of the
 * app process the same batch at once, and the app must be right anyway. The host sends it invocations;
 * it answers when each is done. It is tied to the host: it exits when the IPC channel closes, which
 * also happens when the host is killed outright.
 */
export class SecondWorker {
  private nextId = 0;
  private readonly pending = new Map<number, { resolve: () => void; reject: (error: Error) => void }>();
  private exitedWith?: string;
  private readonly exited: Promise<void>;

  private constructor(private readonly child: ChildProcess, private readonly logger: Logger) {
    this.exited = new Promise((resolve) => child.once('exit', () => resolve()));
    child.on('message', (message: FromWorker) => {
      if (message.type !== 'done') return;
      const call = this.pending.get(message.id);
      this.pending.delete(message.id);
      if (message.error === undefined) call?.resolve();
      else call?.reject(new Error(message.error));
    });
    child.once('exit', (code, signal) => {
      this.exitedWith = signal ?? `code ${code}`;
      for (const call of this.pending.values()) call.reject(new Error(`the second worker exited (${this.exitedWith}) during the invocation`));
      this.pending.clear();
    });
  }

  /** Starts the worker on the app in `root` and waits until it has loaded the app. */
  static async start(root: string, logger: Logger, script = path.join(__dirname, 'worker.js')): Promise<SecondWorker> {
    // The environment already carries the connection settings the host resolved, so both workers share them.
    const child = fork(script, [root], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], env: process.env });
    await new Promise<void>((resolve, reject) => {
      const onMessage = (message: FromWorker) => {
        if (message.type === 'ready') done(resolve);
        if (message.type === 'failed') done(() => reject(new Error(`The second worker could not load the app: ${message.error}`)));
      };
      const onExit = (code: number | null) => done(() => reject(new Error(`The second worker exited during start (code ${code})`)));
      const done = (then: () => void) => {
        child.off('message', onMessage);
        child.off('exit', onExit);
        then();
      };
      child.on('message', onMessage);
      child.once('exit', onExit);
    });
    return new SecondWorker(child, logger);
  }

  get pid(): number {
    return this.child.pid!;
  }

  /** Runs one invocation of the named function in the worker; rejects with the function's error. */
  invoke(functionName: string, request: InvocationRequest): Promise<void> {
    if (this.exitedWith !== undefined) return Promise.reject(new Error(`the second worker is gone (${this.exitedWith})`));
    const id = ++this.nextId;
    return new Promise<void>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      const message: ToWorker = { type: 'invoke', id, functionName, request };
      this.child.send(message, (error) => {
        if (!error) return;
        this.pending.delete(id);
        reject(error);
      });
    });
  }

  /** Closes the channel, which ends the worker; kills it if it does not go within the grace period. */
  async stop(graceMs: number): Promise<void> {
    if (this.exitedWith !== undefined) return;
    if (this.child.connected) this.child.disconnect();
    const timer = setTimeout(() => {
      this.logger.warn('host', `the second worker (pid ${this.pid}) did not exit; killing it`);
      this.child.kill('SIGKILL');
    }, graceMs);
    await this.exited;
    clearTimeout(timer);
  }
}
