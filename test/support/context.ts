import { InvocationContext, type RetryContext } from '@azure/functions';

export interface CapturedLog {
  level: string;
  message: string;
}

/** An invocation context whose log lines are kept for assertions instead of printed. */
export function invocationContext(options: { retryContext?: RetryContext; triggerMetadata?: Record<string, unknown> } = {}) {
  const logs: CapturedLog[] = [];
  const context = new InvocationContext({
    invocationId: 'test-invocation',
    functionName: 'test',
    ...options,
    logHandler: (level, ...args) => logs.push({ level, message: args.map(String).join(' ') }),
  });
  return { context, logs };
}

/** The host's last attempt under a retry policy of `max` retries. */
export const lastAttempt = (max = 4): RetryContext => ({ retryCount: max, maxRetryCount: max });
export const firstAttempt = (max = 4): RetryContext => ({ retryCount: 0, maxRetryCount: max });
