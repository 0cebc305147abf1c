import { TableClient } from '@azure/data-tables';
import { inject } from 'vitest';
import type { ServiceDeps, Settings } from '../../shared/deps';
import type { CafeEvent } from '../../shared/events';
import type { EventPublisher } from '../../shared/publisher';
import type { TableName } from '../../shared/topology';

/**
 * Publishes into memory, optionally failing the next N publishes (a lost connection to the hub), or
 * hanging: while `hangs` is set a publish never answers, whatever signal it was given.
 */
export class RecordingPublisher implements EventPublisher {
  readonly published: CafeEvent[] = [];
  failNext = 0;
  hangs = false;

  async publish(events: readonly CafeEvent[]): Promise<void> {
    if (this.hangs) return new Promise<void>(() => {});
    if (this.failNext > 0) {
      this.failNext--;
      throw new Error('event hub unavailable');
    }
    this.published.push(...events);
  }

  ofType<T extends CafeEvent['type']>(type: T): Extract<CafeEvent, { type: T }>[] {
    return this.published.filter((e): e is Extract<CafeEvent, { type: T }> => e.type === type);
  }
}

let counter = 0;

/**
 * Real Table clients on the test Azurite. Each call gets its own table-name prefix, so tests never
 * see each other's rows.
 */
export function testDeps(overrides: Partial<Settings> = {}, clock?: () => Date) {
  const connection = inject('tablesConnection');
  const prefix = `t${process.pid}x${++counter}x${Date.now().toString(36)}`;
  const clients = new Map<TableName, Promise<TableClient>>();
  const publisher = new RecordingPublisher();
  const deps: ServiceDeps & { publisher: RecordingPublisher } = {
    publisher,
    now: clock ?? (() => new Date()),
    settings: { brewSeconds: 3, orderNudgeAfterSeconds: 30, orderDeadlineSeconds: 900, intakeTimeoutSeconds: 10, idempotencyTtlHours: 24, lowStockCups: 5, retentionDays: 30, ...overrides },
    table(name) {
      let client = clients.get(name);
      if (!client) {
        const c = TableClient.fromConnectionString(connection, `${prefix}${name}`.replace(/[^a-zA-Z0-9]/g, ''), { allowInsecureConnection: true });
        client = c.createTable().then(() => c);
        clients.set(name, client);
      }
      return client;
    },
  };
  return deps;
}

/**
 * A table service that accepts connections and never answers (storage that hangs rather than refuses),
 * for the deadline tests. Returns the connection string and a close function.
 */
export async function silentTableService(): Promise<{ connectionString: string; close: () => Promise<void> }> {
  const { createServer } = await import('node:net');
  const sockets = new Set<import('node:net').Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as import('node:net').AddressInfo;
  const { tableConnectionString } = await import('../../local-host/src/azurite');
  return {
    connectionString: tableConnectionString(port),
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
