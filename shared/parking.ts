import type { InvocationContext } from '@azure/functions';
import type { TableClient } from '@azure/data-tables';
import { retryPending, type Backoff } from './backoff';
import { deadLetter, type DeadLetter } from './deadLetters';
import { businessMetrics } from './metrics';

/** The line an operator greps for, and the alert in infra/modules/alerts.bicep watches: keep it stable. */
export const UNPARKED_PREFIX = 'unparked event';

export interface ParkingDeps {
  deadLetters: () => Promise<TableClient>;
  now: () => Date;
}

interface Attempted {
  letter: DeadLetter;
  /** Why the last write failed; undefined when the budget ran out before it was tried. */
  writeError?: unknown;
}

const describe = (error: unknown) => (error instanceof Error ? `${error.name}: ${error.message}` : String(error));

export function deadLetteredLine(letter: DeadLetter): string {
  return (
    `dead-lettered consumer=${letter.consumer} eventId=${letter.eventId ?? 'unknown'} eventType=${letter.eventType ?? 'unknown'}` +
    ` partitionId=${letter.partitionId ?? 'unknown'} sequenceNumber=${letter.sequenceNumber ?? 'unknown'}: ${describe(letter.error)}`
  );
}

/**
 * One line per event that is neither handled nor parked: where it sits in the hub (partition and
 * sequence number, enough for `POST /operations/replay`) and its id. The fields come first and in a fixed
 * order so the line parses with one pattern; the reasons follow the colon.
 */
export function unparkedLine(letter: DeadLetter, writeError: unknown): string {
  const cause = writeError === undefined ? 'not tried, the parking time budget was spent' : describe(writeError);
  return (
    `${UNPARKED_PREFIX} consumer=${letter.consumer} partitionId=${letter.partitionId ?? 'unknown'}` +
    ` sequenceNumber=${letter.sequenceNumber ?? 'unknown'} eventId=${letter.eventId ?? 'unknown'} eventType=${letter.eventType ?? 'unknown'}` +
    `: ${describe(letter.error)}; dead-letter write failed: ${cause}`
  );
}

/**
 * Parks each event on its own, so one failing write cannot keep the others from being parked, and
 * retries the failed writes with backoff within the budget (parking goes to the same storage that may
 * just have failed). Every event ends parked (logged `dead-lettered`) or logged `unparked event`, at
 * error level; the events that ended unparked are returned.
 */
export async function parkEach(
  deps: ParkingDeps,
  letters: readonly DeadLetter[],
  backoff: Backoff,
  context: InvocationContext,
): Promise<DeadLetter[]> {
  const tryEach = async (pending: readonly Attempted[], _retry: number, deadline: number): Promise<Attempted[]> => {
    const failed: Attempted[] = [];
    for (const item of pending) {
      if (Date.now() > deadline) {
        failed.push(item);
        continue;
      }
      try {
        const first = await deadLetter(await deps.deadLetters(), item.letter, deps.now());
        context.error(deadLetteredLine(item.letter));
        if (first) businessMetrics.deadLettered(item.letter.consumer, item.letter.eventType);
      } catch (writeError) {
        failed.push({ letter: item.letter, writeError });
      }
    }
    return failed;
  };
  const unparked = await retryPending<Attempted>(
    letters.map((letter) => ({ letter })),
    backoff,
    tryEach,
    (pending, retry, delay) => context.warn(`could not dead-letter ${pending.length} event(s) of ${letters[0]?.consumer}; try ${retry + 1} in ${delay} ms`),
  );
  for (const { letter, writeError } of unparked) {
    context.error(unparkedLine(letter, writeError));
    businessMetrics.unparked(letter.consumer);
  }
  return unparked.map((u) => u.letter);
}
