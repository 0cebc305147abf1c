import { CafeEvent } from '../../shared/events';

export class InvalidInputError extends Error {
  override name = 'InvalidInputError';
}

/**
 * The events to publish, from JSON text: one event, an array of events, or one event per line. Every event
 * must be valid against the app's own schemas; one invalid event rejects the whole input, so nothing is sent.
 */
export function parseEvents(text: string): CafeEvent[] {
  const trimmed = text.trim();
  if (trimmed === '') throw new InvalidInputError('No events given: pass --event, --file or JSON on standard input.');
  let values: unknown[];
  try {
    const whole = JSON.parse(trimmed) as unknown;
    values = Array.isArray(whole) ? whole : [whole];
  } catch {
    try {
      values = trimmed.split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as unknown);
    } catch (error) {
      throw new InvalidInputError(`The input is neither JSON nor JSON lines: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  if (values.length === 0) throw new InvalidInputError('The input holds no events.');
  return values.map((value, index) => {
    const parsed = CafeEvent.safeParse(value);
    if (!parsed.success) {
      const detail = parsed.error.issues.map((i) => `${i.path.join('.') || '(event)'}: ${i.message}`).join('; ');
      throw new InvalidInputError(`Event ${index + 1} is not a valid cafe event: ${detail}`);
    }
    return parsed.data;
  });
}
