import { ROOT_CONTEXT, trace, type Context } from '@opentelemetry/api';
import { describe, expect, it } from 'vitest';
import { makeEvent } from '../../shared/events';
import { eventProperties } from '../../shared/publisher';
import { SpanBatch, SpanKind, TRACEPARENT, contextFromProperties, contextFromTraceparent, traceparentOf, withOrderContexts } from '../../shared/tracing';

// No tracer provider is registered in this file: these are the paths every process takes when no
// exporter is configured, and the W3C format itself.
const INCOMING = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
const OTHER = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';

const completed = (orderId: string) => makeEvent('OrderCompleted', { orderId, storeId: 'main', occurredAt: '2026-11-25T10:00:00.000Z', customerId: 'c-1' });
const traceIdOf = (ctx: Context | undefined) => (ctx ? trace.getSpanContext(ctx)?.traceId : undefined);

describe('the traceparent application property', () => {
  it('reads a W3C traceparent into a remote context and writes the same one back', () => {
    const ctx = contextFromTraceparent(INCOMING);
    expect(trace.getSpanContext(ctx!)).toMatchObject({ traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7', traceFlags: 1, isRemote: true });
    expect(traceparentOf(ctx!)).toBe(INCOMING);
  });

  it('ignores an absent, malformed, all-zero or non-text traceparent', () => {
    for (const value of [undefined, '', 'garbage', '00-00000000000000000000000000000000-00f067aa0ba902b7-01', '00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01', 42, Buffer.from(INCOMING)]) {
      expect(contextFromTraceparent(value), String(value)).toBeUndefined();
    }
    expect(traceparentOf(ROOT_CONTEXT)).toBeUndefined();
  });

  it('is read from the properties the trigger hands over, and only from them', () => {
    expect(traceIdOf(contextFromProperties({ type: 'OrderPlaced', [TRACEPARENT]: INCOMING }))).toBe('4bf92f3577b34da6a3ce929d0e0e4736');
    expect(contextFromProperties({ type: 'OrderPlaced' })).toBeUndefined();
    expect(contextFromProperties(null)).toBeUndefined();
  });

  it('is written on each published event from its own order\'s context, beside type and version', () => {
    const contexts = new Map([
      ['o1', contextFromTraceparent(INCOMING)!],
      ['o2', contextFromTraceparent(OTHER)!],
    ]);
    const [first, second, third] = withOrderContexts(contexts, () => [completed('o1'), completed('o2'), completed('o3')].map(eventProperties));
    expect(first).toEqual({ type: 'OrderCompleted', version: '1', [TRACEPARENT]: INCOMING });
    expect(second).toEqual({ type: 'OrderCompleted', version: '1', [TRACEPARENT]: OTHER });
    // An order with no trace in scope (and no active span) gets no traceparent rather than a made-up one.
    expect(third).toEqual({ type: 'OrderCompleted', version: '1' });
  });

  it('is carried on by a consumer batch even where no tracer provider records spans', () => {
    const batch = new SpanBatch('brewBeverages', SpanKind.CONSUMER, [
      { key: 'o1.CupsReserved', orderId: 'o1', name: 'brewBeverages CupsReserved', parent: contextFromTraceparent(INCOMING) },
      { key: 'o2.CupsReserved', orderId: 'o2', name: 'brewBeverages CupsReserved', parent: undefined },
    ]);
    const [carried, untraced] = batch.run(() => [eventProperties(completed('o1')), eventProperties(completed('o2'))]);
    batch.end();
    expect(carried![TRACEPARENT]).toBe(INCOMING);
    expect(untraced![TRACEPARENT]).toBeUndefined();
  });
});
