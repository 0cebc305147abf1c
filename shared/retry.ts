import type { RetryOptions } from '@azure/functions';

/**
 * The retry policy of every Event Hubs consumer. The partition waits while a batch retries, so the
 * policy is short and bounded; what still fails after it is dead-lettered by the consumer itself.
 */
export const CONSUMER_RETRY: RetryOptions = {
  strategy: 'exponentialBackoff',
  maxRetryCount: 4,
  minimumInterval: 500,
  maximumInterval: 10_000,
};

/** Retries an optimistic-concurrency loop a bounded number of times. */
export async function withConflictRetry<T>(
  attempt: () => Promise<T>,
  isConflict: (error: unknown) => boolean,
  attempts = 8,
): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await attempt();
    } catch (error) {
      if (i >= attempts || !isConflict(error)) throw error;
      await new Promise((resolve) => setTimeout(resolve, Math.min(200, 5 * 2 ** i) * Math.random()));
    }
  }
}
