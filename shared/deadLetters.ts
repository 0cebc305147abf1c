import type { TableClient } from '@azure/data-tables';
import { keyFor } from './identifiers';
import { createIfAbsent } from './tables';

export interface DeadLetter {
  consumer: string;
  eventId?: string;
  eventType?: string;
  payload: unknown;
  error: unknown;
  sequenceNumber?: number;
  partitionId?: string;
  attempt: number;
}

const MAX_TEXT = 30_000;

function describe(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}

function serialise(payload: unknown): string {
  if (Buffer.isBuffer(payload)) return payload.toString('utf8');
  if (typeof payload === 'string') return payload;
  return JSON.stringify(payload) ?? String(payload);
}

/**
 * Parks an event that cannot be processed, keyed by consumer and event, so parking the same event
 * again (a redelivered batch) overwrites instead of piling up copies.
 */
export async function deadLetter(client: TableClient, letter: DeadLetter, now: Date): Promise<boolean> {
  const payload = serialise(letter.payload);
  const entity = {
    partitionKey: letter.consumer,
    rowKey: keyFor(letter.eventId ?? payload),
    eventId: letter.eventId ?? '',
    eventType: letter.eventType ?? '',
    error: describe(letter.error).slice(0, MAX_TEXT),
    payload: payload.slice(0, MAX_TEXT),
    sequenceNumber: letter.sequenceNumber ?? -1,
    partitionId: letter.partitionId ?? '',
    attempt: letter.attempt,
    deadLetteredAt: now.toISOString(),
  };
  // Created, or replaced when parked before: says which, so the dead-letter metric counts each event
  // once however often a retry or a redelivery parks it again.
  if (await createIfAbsent(client, entity)) return true;
  await client.upsertEntity(entity, 'Replace');
  return false;
}
