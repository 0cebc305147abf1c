/**
 * A time budget for one request. Each call made `within` it gets a signal that aborts it when the
 * budget runs out (the SDKs cancel the HTTP request), and the wait itself stops then too, so the
 * request ends in bounded time even when a call ignores its signal.
 */
export class DeadlineExceeded extends Error {
  override name = 'DeadlineExceeded';
  constructor(what: string, ms: number) {
    super(`${what} did not finish within ${ms} ms`);
  }
}

export interface Deadline {
  remainingMs(): number;
  /** The call's result, or a DeadlineExceeded once the budget (or `capMs`, if smaller) runs out. */
  within<T>(what: string, call: (signal: AbortSignal) => Promise<T>, capMs?: number): Promise<T>;
}

export function deadline(ms: number, clock: () => number = Date.now): Deadline {
  const end = clock() + ms;
  const remainingMs = () => Math.max(0, end - clock());
  return {
    remainingMs,
    async within(what, call, capMs = Number.POSITIVE_INFINITY) {
      const budget = Math.min(remainingMs(), capMs);
      const controller = new AbortController();
      let timer: NodeJS.Timeout | undefined;
      const expired = new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          const error = new DeadlineExceeded(what, budget);
          controller.abort(error);
          reject(error);
        }, budget);
      });
      try {
        return await Promise.race([call(controller.signal), expired]);
      } finally {
        clearTimeout(timer);
      }
    },
  };
}

/** An aborted or timed-out call: the dependency did not answer in time, so the client may try again. */
export function isTimeout(error: unknown): boolean {
  if (error instanceof DeadlineExceeded) return true;
  if (typeof error !== 'object' || error === null) return false;
  const { name } = error as { name?: unknown };
  return name === 'AbortError' || name === 'TimeoutError';
}
