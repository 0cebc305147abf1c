import { decodeEvent } from '../../shared/eventDecoding';
import { isOrderEvent, type CafeEvent } from '../../shared/events';
import type { HubRecord } from './source';

export interface TailOptions {
  /** Only this order's events. */
  orderId?: string;
  /** Stop once an event of each of these types has been seen (of the order, when one is given). */
  until?: readonly string[];
  /** Stop after this many events. */
  max?: number;
  json?: boolean;
}

export interface TailOutput {
  out(line: string): void;
  warn(line: string): void;
}

export interface Tail {
  /** Takes one record; answers true when the tail has what it was asked for and should stop. */
  take(record: HubRecord): boolean;
  /** Types of `until` not seen yet. */
  missing(): string[];
  count(): number;
}

function line(record: HubRecord, event: CafeEvent): string {
  return [
    `${record.partition}/${record.offset}`.padEnd(8),
    record.timestamp ?? '-',
    event.type.padEnd(17),
    // A store event (StockLow) belongs to no order.
    `order=${isOrderEvent(event) ? event.orderId : '-'}`,
    `store=${event.storeId}`,
    `id=${event.id}`,
  ].join(' ');
}

/**
 * Decodes each record exactly as the app's consumers do (shared/eventDecoding.ts): valid events are printed,
 * events of a type this version does not know are skipped with the app's warning, and anything invalid is
 * reported and passed over, so a tail never stops on a bad message.
 */
export function createTail(options: TailOptions, output: TailOutput): Tail {
  const waitingFor = new Set(options.until ?? []);
  let printed = 0;
  return {
    take(record) {
      const decoded = decodeEvent(record.body);
      if (decoded.kind === 'unknown-type') {
        output.warn(`skipping unknown event type ${decoded.type} (id ${decoded.id ?? 'none'}) at ${record.partition}/${record.offset}`);
        return false;
      }
      if (decoded.kind === 'invalid') {
        output.warn(`${decoded.error.message.split('\n')[0]} (at ${record.partition}/${record.offset}, id ${decoded.id ?? 'none'})`);
        return false;
      }
      const event = decoded.event;
      if (options.orderId !== undefined && (!isOrderEvent(event) || event.orderId !== options.orderId)) return false;
      printed += 1;
      output.out(
        options.json
          ? JSON.stringify({ partition: record.partition, offset: record.offset, timestamp: record.timestamp, key: record.key, headers: record.headers, event })
          : line(record, event),
      );
      waitingFor.delete(event.type);
      if (options.until && options.until.length > 0 && waitingFor.size === 0) return true;
      return options.max !== undefined && printed >= options.max;
    },
    missing: () => [...waitingFor],
    count: () => printed,
  };
}
