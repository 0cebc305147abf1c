import type { TableClient } from '@azure/data-tables';
import { config } from './config';
import { publisher, type EventPublisher } from './publisher';
import { table } from './tables';
import { TABLES, type TableName } from './topology';
import { startTelemetry } from './telemetry';
import type { ConsumerDeps } from './consumer';

/** What a service needs from the outside world; tests pass their own (a real Azurite, a flaky publisher). */
export interface ServiceDeps {
  table: (name: TableName) => Promise<TableClient>;
  publisher: EventPublisher;
  now: () => Date;
  settings: Settings;
}

export interface Settings {
  brewSeconds: number;
  orderNudgeAfterSeconds: number;
  orderDeadlineSeconds: number;
  /** The bound of one `POST /orders`, storage and publish included. */
  intakeTimeoutSeconds: number;
  /** How long an Idempotency-Key stands for its first request. */
  idempotencyTtlHours: number;
  lowStockCups: number;
  /** How long finished records are kept. */
  retentionDays: number;
}

/**
 * The real clients; reading the configuration here makes a missing setting fail the app at start, and
 * telemetry is set up here, once per process, before any function runs.
 */
export function productionDeps(): ServiceDeps {
  startTelemetry(config().telemetry);
  const { brewSeconds, orderNudgeAfterSeconds, orderDeadlineSeconds, intakeTimeoutSeconds, idempotencyTtlHours, lowStockCups, retentionDays } = config();
  return {
    table,
    settings: { brewSeconds, orderNudgeAfterSeconds, orderDeadlineSeconds, intakeTimeoutSeconds, idempotencyTtlHours, lowStockCups, retentionDays },
    get publisher() {
      return publisher();
    },
    now: () => new Date(),
  };
}

export function consumerDeps(deps: ServiceDeps): ConsumerDeps {
  return { deadLetters: () => deps.table(TABLES.deadLetters), now: deps.now };
}
