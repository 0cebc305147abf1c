import type { RetryOptions } from '@azure/functions';

/**
 * The retry policy of every Event Hubs consumer: an extra layer, not the one the consumers rely on.
 * On Azure the host checkpoints past a batch when it stops between two of these retries (a scale-in,
 * a deployment), so the consumer runner (shared/consumer.ts) retries transient failures inside the
 * invocation, parks what still fails, and logs what it cannot park before it ever throws. It throws
 * only then, and a host retry is one more chance to apply or park those events; losing that chance
 * loses nothing, since they are already logged for replay. It stays because it costs nothing in the
 * normal case (the runner does not throw) and catches a runner failure nobody foresaw. The partition
 * waits while a batch retries, so the policy is short and bounded.
 */
export const CONSUMER_RETRY: RetryOptions = {
  strategy: 'exponentialBackoff',
  maxRetryCount: 4,
  minimumInterval: 500,
  maximumInterval: 10_000,
};

/**
 * The pause before try `attempt + 1` of an optimistic-concurrency loop: random (so writers that lost
 * the same race do not meet again), growing with the attempt, at most 200 ms.
 */
export function pauseAfterConflict(attempt: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.min(200, 5 * 2 ** attempt) * Math.random()));
}

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
      await pauseAfterConflict(i);
    }
  }
}
