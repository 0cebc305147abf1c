import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '../../shared/config';
import { CafeEvent, makeEvent } from '../../shared/events';

const tables = { TablesConnection: 'UseDevelopmentStorage=true' };

describe('configuration', () => {
  it('fails fast naming the missing Event Hubs setting', () => {
    expect(() => parseConfig(tables)).toThrow(ConfigError);
    expect(() => parseConfig(tables)).toThrow(/EventHubConnection__fullyQualifiedNamespace/);
  });

  it('fails fast naming the missing tables setting', () => {
    expect(() => parseConfig({ EventHubConnection: 'Endpoint=sb://x/;SharedAccessKeyName=a;SharedAccessKey=b' })).toThrow(/TablesConnection/);
  });

  it('uses Microsoft Entra identity when only the namespace is given', () => {
    const config = parseConfig({
      EventHubConnection__fullyQualifiedNamespace: 'cafe.servicebus.windows.net',
      EventHubConnection__clientId: 'id-1',
      TablesConnection__tableServiceUri: 'https://cafe.table.core.windows.net',
      AZURE_CLIENT_ID: 'id-2',
    });
    expect(config.eventHub).toEqual({ kind: 'identity', fullyQualifiedNamespace: 'cafe.servicebus.windows.net', clientId: 'id-1' });
    expect(config.tables).toEqual({ kind: 'identity', tableServiceUri: 'https://cafe.table.core.windows.net', clientId: 'id-2' });
  });

  it('recognises the local host event log and reads numbers with defaults', () => {
    const config = parseConfig({ ...tables, EventHubConnection: 'LocalEventLog=http://127.0.0.1:7071/_eventhubs', BREW_SECONDS: '1.5' });
    expect(config.eventHub).toEqual({ kind: 'localEventLog', endpoint: 'http://127.0.0.1:7071/_eventhubs' });
    expect(config).toMatchObject({ brewSeconds: 1.5, orderNudgeAfterSeconds: 30, orderDeadlineSeconds: 900, lowStockCups: 5 });
  });

  it('reads the order deadline and rejects one that is not a positive number of seconds', () => {
    expect(parseConfig({ ...tables, EventHubConnection: 'x', ORDER_DEADLINE_SECONDS: '60' }).orderDeadlineSeconds).toBe(60);
    expect(() => parseConfig({ ...tables, EventHubConnection: 'x', ORDER_DEADLINE_SECONDS: '0' })).toThrow(/ORDER_DEADLINE_SECONDS/);
    expect(() => parseConfig({ ...tables, EventHubConnection: 'x', ORDER_DEADLINE_SECONDS: 'later' })).toThrow(/ORDER_DEADLINE_SECONDS/);
  });

  it('reads the intake bound and the key lifetime, with defaults', () => {
    const local = { ...tables, EventHubConnection: 'x' };
    expect(parseConfig(local)).toMatchObject({ intakeTimeoutSeconds: 10, idempotencyTtlHours: 24 });
    expect(parseConfig({ ...local, INTAKE_TIMEOUT_SECONDS: '4', IDEMPOTENCY_TTL_HOURS: '48' })).toMatchObject({ intakeTimeoutSeconds: 4, idempotencyTtlHours: 48 });
  });

  it('keeps records whole days: RETENTION_DAYS is an integer of at least 1, named when it is not', () => {
    const local = { ...tables, EventHubConnection: 'x' };
    expect(parseConfig(local)).toMatchObject({ retentionDays: 30 });
    expect(parseConfig({ ...local, RETENTION_DAYS: '7' })).toMatchObject({ retentionDays: 7 });
    for (const bad of ['0', '0.5', '-3', 'forever']) expect(() => parseConfig({ ...local, RETENTION_DAYS: bad }), bad).toThrow(/RETENTION_DAYS/);
  });

  it('exports telemetry only where a setting says so, and names a bad OTLP endpoint', () => {
    const local = { ...tables, EventHubConnection: 'LocalEventLog=http://127.0.0.1:7071/_eventhubs' };
    expect(parseConfig(local).telemetry).toEqual({ serviceName: 'unmanned-cafe' });
    expect(parseConfig({ ...local, OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318/', OTEL_SERVICE_NAME: 'cafe-dev' }).telemetry).toEqual({
      otlpEndpoint: 'http://127.0.0.1:4318',
      serviceName: 'cafe-dev',
    });
    expect(parseConfig({ ...local, APPLICATIONINSIGHTS_CONNECTION_STRING: 'InstrumentationKey=k', AZURE_CLIENT_ID: 'id-1' }).telemetry.azureMonitor).toEqual({
      connectionString: 'InstrumentationKey=k',
      clientId: 'id-1',
    });
    for (const bad of ['127.0.0.1:4318', 'ftp://collector', 'collector']) {
      expect(() => parseConfig({ ...local, OTEL_EXPORTER_OTLP_ENDPOINT: bad }), bad).toThrow(/OTEL_EXPORTER_OTLP_ENDPOINT/);
    }
  });

  it('refuses a sweep grace period that does not outlast the intake bound, naming both settings', () => {
    const local = { ...tables, EventHubConnection: 'x' };
    for (const [nudge, intake] of [['10', '10'], ['5', '10'], ['30', '31']]) {
      const attempt = () => parseConfig({ ...local, ORDER_NUDGE_AFTER_SECONDS: nudge, INTAKE_TIMEOUT_SECONDS: intake });
      expect(attempt).toThrow(ConfigError);
      expect(attempt).toThrow(/ORDER_NUDGE_AFTER_SECONDS.*INTAKE_TIMEOUT_SECONDS/);
    }
    expect(parseConfig({ ...local, ORDER_NUDGE_AFTER_SECONDS: '11', INTAKE_TIMEOUT_SECONDS: '10' }).orderNudgeAfterSeconds).toBe(11);
  });

  it('rejects a nonsensical number, naming the setting', () => {
    expect(() => parseConfig({ ...tables, EventHubConnection: 'x', BREW_SECONDS: 'soon' })).toThrow(/BREW_SECONDS/);
  });
});

describe('event schemas', () => {
  const event = makeEvent('OrderCancelled', { orderId: 'o1', storeId: 'main', occurredAt: '2026-11-25T10:00:00.000Z', customerId: 'c', reason: 'out-of-cups' });

  it('accept an event with fields added by a newer producer', () => {
    expect(CafeEvent.safeParse({ ...event, refundedAt: '2026-11-25T10:00:00.000Z' }).success).toBe(true);
  });

  it('reject an event of a version this consumer does not know', () => {
    expect(CafeEvent.safeParse({ ...event, version: 2 }).success).toBe(false);
  });

  it('reject an event missing what its type requires', () => {
    const { reason: _reason, ...withoutReason } = event;
    expect(CafeEvent.safeParse(withoutReason).success).toBe(false);
  });
});
