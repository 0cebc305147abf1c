import type { RegisteredFunction } from './functionsCore';

type Duration = { seconds?: number | string; nanos?: number } | undefined;

function ms(duration: Duration): number {
  if (!duration) return 0;
  return Number(duration.seconds ?? 0) * 1000 + Math.round((duration.nanos ?? 0) / 1e6);
}

export interface RetryPolicy {
  maxRetryCount: number;
  /** Delay before retry number `retry` (1-based). */
  delayMs(retry: number): number;
}

/**
 * The function-level retry policy as the host applies it: `fixedDelay` waits the same interval each
 * time; `exponentialBackoff` doubles from the minimum up to the maximum. -1 means retry forever.
 */
export function retryPolicyOf(fn: Pick<RegisteredFunction, 'retryOptions'>): RetryPolicy | undefined {
  const options = fn.retryOptions;
  if (!options) return undefined;
  const maxRetryCount = options.maxRetryCount ?? 0;
  if (options.retryStrategy === 'fixedDelay') {
    const delay = ms(options.delayInterval);
    return { maxRetryCount, delayMs: () => delay };
  }
  const min = ms(options.minimumInterval);
  const max = Math.max(min, ms(options.maximumInterval));
  return { maxRetryCount, delayMs: (retry) => Math.min(max, min * 2 ** (retry - 1)) };
}
