/**
 * Bounded exponential backoff inside one invocation. The Functions host stops an invocation at its
 * timeout (host.json `functionTimeout`, 5 minutes) and, on Azure, checkpoints past a batch when it
 * stops between its own retries; so the retries that matter happen here, and each loop has a total
 * time budget well under the timeout.
 */
export interface Backoff {
  firstDelayMs: number;
  maxDelayMs: number;
  /** No retry starts once this much time has passed since the first try. */
  budgetMs: number;
}

/** The delay before retry number `retry` (0-based): doubling from the first delay, capped. */
export function delayBefore(backoff: Backoff, retry: number): number {
  return Math.min(backoff.maxDelayMs, backoff.firstDelayMs * 2 ** retry);
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Runs `attempt` on the items still pending until none are, or the next delay would end past the
 * budget; returns what is still pending then. `attempt` answers the items that failed this time; it
 * gets the deadline too, so one slow round cannot overrun the budget by much.
 */
export async function retryPending<T>(
  items: readonly T[],
  backoff: Backoff,
  attempt: (pending: readonly T[], retry: number, deadline: number) => Promise<T[]>,
  onRetry: (pending: readonly T[], retry: number, delayMs: number) => void = () => undefined,
): Promise<T[]> {
  const deadline = Date.now() + backoff.budgetMs;
  let pending = await attempt(items, 0, deadline);
  for (let retry = 0; pending.length > 0; retry++) {
    const delay = delayBefore(backoff, retry);
    if (Date.now() + delay > deadline) break;
    onRetry(pending, retry + 1, delay);
    await sleep(delay);
    pending = await attempt(pending, retry + 1, deadline);
  }
  return pending;
}
