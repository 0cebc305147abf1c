import type { AccessToken, GetTokenOptions, TokenCredential } from '@azure/identity';
import { describe, expect, it } from 'vitest';
import { decodeEvent } from '../../shared/eventDecoding';
import { makeEvent, makeStockLow } from '../../shared/events';
import { EVENT_HUB } from '../../shared/topology';
import { headersAsText, headerText } from '../../tools/events/headers';
import { defaultGroupId, eventHubsScope, kafkaClientConfig, publishProducerConfig, tailConsumerConfig, TOPIC } from '../../tools/events/kafkaConfig';
import { messageOf, recordOf } from '../../tools/events/kafkaTransport';
import { parseEvents } from '../../tools/events/publishInput';
import type { HubRecord } from '../../tools/events/source';
import { createTail } from '../../tools/events/tail';
import { resolveTarget } from '../../tools/events/target';
import { oauthBearerProvider } from '../../tools/events/tokenProvider';

/** A credential that hands out numbered tokens, each valid for `lifetimeMs` from the fake clock, and records every call. */
function fakeCredential(clock: { now: number }, lifetimeMs = 60 * 60_000) {
  const calls: string[][] = [];
  let issued = 0;
  const credential: TokenCredential = {
    async getToken(scopes: string | string[], _options?: GetTokenOptions): Promise<AccessToken | null> {
      calls.push([scopes].flat());
      issued += 1;
      return { token: `token-${issued}`, expiresOnTimestamp: clock.now + lifetimeMs };
    },
  };
  return { credential, calls };
}

const NS = 'evhns-cafe-abc.servicebus.windows.net';
const placed = (orderId: string, storeId = 'main') =>
  makeEvent('OrderPlaced', { orderId, storeId, occurredAt: '2026-11-27T10:00:00.000Z', customerId: 'c-1', items: [{ menuItemId: 'americano', quantity: 1 }], cups: 1 });
const completed = (orderId: string, storeId = 'main') => makeEvent('OrderCompleted', { orderId, storeId, occurredAt: '2026-11-27T10:00:05.000Z', customerId: 'c-1' });

describe('the OAUTHBEARER token provider', () => {
  it('asks the credential for the namespace scope and hands the token to the Kafka client as its value', async () => {
    const clock = { now: 1_000_000 };
    const { credential, calls } = fakeCredential(clock);
    const provide = oauthBearerProvider(credential, eventHubsScope(NS), { now: () => clock.now });

    expect(await provide()).toEqual({ value: 'token-1' });
    expect(calls).toEqual([[`https://${NS}/.default`]]);
  });

  it('reuses a token on reconnects until shortly before it expires, then fetches a new one', async () => {
    const clock = { now: 1_000_000 };
    const { credential, calls } = fakeCredential(clock, 60 * 60_000);
    const provide = oauthBearerProvider(credential, eventHubsScope(NS), { now: () => clock.now, refreshBeforeMs: 5 * 60_000 });

    await provide();
    clock.now += 54 * 60_000;
    expect(await provide()).toEqual({ value: 'token-1' });
    clock.now += 2 * 60_000; // 56 minutes in: within 5 minutes of expiry
    expect(await provide()).toEqual({ value: 'token-2' });
    expect(calls).toHaveLength(2);
  });

  it('shares one request among brokers authenticating at the same time', async () => {
    const clock = { now: 0 };
    const { credential, calls } = fakeCredential(clock);
    const provide = oauthBearerProvider(credential, eventHubsScope(NS), { now: () => clock.now });

    const tokens = await Promise.all([provide(), provide(), provide()]);
    expect(tokens.map((t) => t.value)).toEqual(['token-1', 'token-1', 'token-1']);
    expect(calls).toHaveLength(1);
  });

  it('fails with a hint when the credential gives no token, and tries again on the next connection', async () => {
    let answer: AccessToken | null = null;
    const credential: TokenCredential = { getToken: async () => answer };
    const provide = oauthBearerProvider(credential, eventHubsScope(NS));
    await expect(provide()).rejects.toThrow(/No access token for https:\/\/evhns-cafe-abc.*az login/);
    answer = { token: 'late', expiresOnTimestamp: Date.now() + 3_600_000 };
    expect(await provide()).toEqual({ value: 'late' });
  });
});

describe('the Kafka client configuration', () => {
  it('connects to the namespace on 9093 over TLS with SASL OAUTHBEARER tokens for the namespace scope', async () => {
    const clock = { now: 0 };
    const { credential, calls } = fakeCredential(clock);
    const config = kafkaClientConfig({ fullyQualifiedNamespace: NS, credential });

    expect(config.brokers).toEqual([`${NS}:9093`]);
    expect(config.ssl).toBe(true);
    expect(config.sasl?.mechanism).toBe('oauthbearer');
    const sasl = config.sasl as { oauthBearerProvider: () => Promise<{ value: string }> };
    expect(await sasl.oauthBearerProvider()).toEqual({ value: 'token-1' });
    expect(calls).toEqual([[`https://${NS}/.default`]]);
    // no SAS: nothing of the PLAIN mechanism's connection-string login
    expect(JSON.stringify(config)).not.toMatch(/ConnectionString|SharedAccessKey|username|password/);
  });

  it('reads and writes the hub as the topic, and never creates a topic', () => {
    expect(TOPIC).toBe(EVENT_HUB);
    expect(TOPIC).toBe('cafe-events');
    expect(tailConsumerConfig('g')).toMatchObject({ groupId: 'g', allowAutoTopicCreation: false });
    expect(publishProducerConfig()).toMatchObject({ allowAutoTopicCreation: false });
  });

  it('gives each tail a consumer group of its own, apart from the app consumer groups', () => {
    const a = defaultGroupId(() => 'a1b2c3d4');
    expect(a).toBe('cafe-events-tail-a1b2c3d4');
    expect(defaultGroupId(() => 'ffff0000')).not.toBe(a);
    expect(['orders', 'inventory', 'beverages', 'notifications', 'kiosk', 'sales', 'operations']).not.toContain(a);
  });

  it('is chosen by a namespace (bare name or host name), and the local host otherwise', () => {
    expect(resolveTarget({ namespace: 'evhns-cafe-abc' }, {})).toEqual({ kind: 'kafka', fullyQualifiedNamespace: NS });
    expect(resolveTarget({ namespace: `${NS}:9093` }, {})).toEqual({ kind: 'kafka', fullyQualifiedNamespace: NS });
    expect(resolveTarget({}, { AZURE_EVENTHUBS_NAMESPACE: 'evhns-cafe-abc' })).toEqual({ kind: 'kafka', fullyQualifiedNamespace: NS });
    expect(resolveTarget({ local: true }, { AZURE_EVENTHUBS_NAMESPACE: 'evhns-cafe-abc', PORT: '7072' })).toEqual({ kind: 'local', baseUrl: 'http://127.0.0.1:7072' });
    expect(resolveTarget({}, {})).toEqual({ kind: 'local', baseUrl: 'http://127.0.0.1:7071' });
    expect(() => resolveTarget({ local: true, url: 'http://10.0.0.5:7071' }, {})).toThrow(/loopback/);
    expect(() => resolveTarget({ namespace: 'not a name!' }, {})).toThrow(/not an Event Hubs namespace/);
  });
});

describe('records through the Kafka endpoint', () => {
  it('publishes an event as JSON with the store as key and type and version as string headers', () => {
    const event = placed('o-1', 'store-7');
    const message = messageOf(event);
    expect(message.key).toBe('store-7');
    expect(JSON.parse(String(message.value))).toEqual(event);
    expect(message.headers).toEqual({ type: 'OrderPlaced', version: '1', 'content-type': 'application/json' });
  });

  it('reads header values the AMQP side wrote (string with its type byte and length) and plain Kafka ones alike', () => {
    const amqp = (text: string) => Buffer.concat([Buffer.from([0xa1, Buffer.byteLength(text)]), Buffer.from(text)]);
    const amqp32 = (text: string) => {
      const head = Buffer.alloc(5);
      head[0] = 0xb1;
      head.writeUInt32BE(Buffer.byteLength(text), 1);
      return Buffer.concat([head, Buffer.from(text)]);
    };
    expect(headerText(amqp('OrderPlaced'))).toBe('OrderPlaced');
    expect(headerText(amqp32('1'))).toBe('1');
    expect(headerText(Buffer.from('OrderPlaced'))).toBe('OrderPlaced');
    expect(headerText('1')).toBe('1');
    expect(headersAsText({ type: amqp('CupsReserved'), version: Buffer.from('1'), none: undefined })).toEqual({ type: 'CupsReserved', version: '1' });
  });

  it('turns a Kafka message into a record with its partition, offset, time, key and text headers', () => {
    const event = completed('o-2');
    const record = recordOf(3, {
      key: Buffer.from('main'),
      value: Buffer.from(JSON.stringify(event)),
      timestamp: String(Date.parse('2026-11-27T10:00:06.000Z')),
      attributes: 0,
      offset: '42',
      headers: { type: Buffer.from([0xa1, 14, ...Buffer.from('OrderCompleted')]) },
    });
    expect(record).toMatchObject({ partition: '3', offset: '42', timestamp: '2026-11-27T10:00:06.000Z', key: 'main', headers: { type: 'OrderCompleted' } });
    expect(decodeEvent(record.body)).toMatchObject({ kind: 'event', event });
  });
});

describe('the tail', () => {
  const record = (body: unknown, offset = '0'): HubRecord => ({ partition: '0', offset, headers: {}, body: Buffer.from(typeof body === 'string' ? body : JSON.stringify(body)) });

  it('decodes as the app does: prints valid events, skips unknown types with the app warning, reports invalid ones and goes on', () => {
    const out: string[] = [];
    const warn: string[] = [];
    const tail = createTail({}, { out: (l) => out.push(l), warn: (l) => warn.push(l) });

    const messages = [
      record(placed('o-1'), '0'),
      record({ ...placed('o-9'), type: 'LoyaltyPointsAwarded', id: 'o-9.LoyaltyPointsAwarded' }, '1'),
      record({ ...placed('o-8'), cups: 0 }, '2'),
      record('not json', '3'),
      record({ ...completed('o-1'), addedLater: true }, '4'),
    ];
    for (const m of messages) expect(tail.take(m)).toBe(false);

    // the same verdicts as the app's consumers give
    expect(messages.map((m) => decodeEvent(m.body).kind)).toEqual(['event', 'unknown-type', 'invalid', 'invalid', 'event']);
    expect(out).toHaveLength(2);
    expect(out[0]).toMatch(/^0\/0 .* OrderPlaced .*order=o-1 store=main id=o-1\.OrderPlaced$/);
    expect(out[1]).toMatch(/OrderCompleted .*order=o-1/);
    expect(warn).toEqual([
      expect.stringMatching(/^skipping unknown event type LoyaltyPointsAwarded \(id o-9\.LoyaltyPointsAwarded\)/),
      expect.stringMatching(/^invalid event: .* \(at 0\/2, id o-8\.OrderPlaced\)$/),
      expect.stringMatching(/^invalid event: .* \(at 0\/3, id none\)$/),
    ]);
  });

  it('follows one order and stops once every awaited type has been seen', () => {
    const out: string[] = [];
    const tail = createTail({ orderId: 'o-1', until: ['OrderPlaced', 'OrderCompleted'], json: true }, { out: (l) => out.push(l), warn: () => undefined });

    expect(tail.take(record(placed('o-2')))).toBe(false);
    expect(tail.take(record(placed('o-1')))).toBe(false);
    expect(tail.missing()).toEqual(['OrderCompleted']);
    expect(tail.take(record(completed('o-2')))).toBe(false);
    expect(tail.take(record(completed('o-1')))).toBe(true);
    expect(tail.missing()).toEqual([]);
    expect(out.map((l) => (JSON.parse(l) as { event: { id: string } }).event.id)).toEqual(['o-1.OrderPlaced', 'o-1.OrderCompleted']);
  });

  it('prints a store event (StockLow) with no order, and leaves it out when following an order', () => {
    const stockLow = makeStockLow({ storeId: 'main', occurredAt: '2026-11-25T10:00:00.000Z', cups: 5, lowStockCups: 5, crossing: 2 });
    const out: string[] = [];
    const warn: string[] = [];
    createTail({}, { out: (l) => out.push(l), warn: (l) => warn.push(l) }).take(record(stockLow));
    expect(out).toEqual([expect.stringMatching(/ StockLow +order=- store=main id=main\.StockLow\.2$/)]);
    expect(warn).toEqual([]);

    const following: string[] = [];
    createTail({ orderId: 'o-1' }, { out: (l) => following.push(l), warn: () => undefined }).take(record(stockLow));
    expect(following).toEqual([]);
  });

  it('stops after --max events', () => {
    const tail = createTail({ max: 2 }, { out: () => undefined, warn: () => undefined });
    expect(tail.take(record(placed('a')))).toBe(false);
    expect(tail.take(record(placed('b')))).toBe(true);
  });
});

describe('publish input', () => {
  it('takes one event, an array or JSON lines, each checked against the app schemas', () => {
    const a = placed('a');
    const b = completed('a');
    expect(parseEvents(JSON.stringify(a))).toEqual([a]);
    expect(parseEvents(JSON.stringify([a, b]))).toEqual([a, b]);
    expect(parseEvents(`${JSON.stringify(a)}\n${JSON.stringify(b)}\n`)).toEqual([a, b]);
  });

  it('rejects the whole input when one event is invalid or of an unknown type', () => {
    const a = placed('a');
    expect(() => parseEvents(JSON.stringify([a, { ...a, cups: 0 }]))).toThrow(/Event 2 is not a valid cafe event: cups/);
    expect(() => parseEvents(JSON.stringify({ ...a, type: 'Unknown' }))).toThrow(/Event 1/);
    expect(() => parseEvents('{ nope')).toThrow(/neither JSON nor JSON lines/);
    expect(() => parseEvents('  ')).toThrow(/No events given/);
  });
});
