import { AsyncLocalStorage } from 'node:async_hooks';
import {
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  context,
  defaultTextMapGetter,
  defaultTextMapSetter,
  trace,
  type Attributes,
  type Context,
  type Span,
} from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';

/**
 * One order is one trace: the W3C trace context travels with every event as the `traceparent`
 * application property (a Kafka header on the namespace's Kafka endpoint), and every hop handles an
 * event in a span that continues it. Without a tracer provider (no exporter configured) the spans are
 * the API's non-recording ones, which still carry the incoming context on, so a process that exports
 * nothing does not break the chain for the ones that do.
 */
export const TRACEPARENT = 'traceparent';
export const TRACER_NAME = 'unmanned-cafe';

const w3c = new W3CTraceContextPropagator();
const tracer = () => trace.getTracer(TRACER_NAME);

/** The `traceparent` of a context's span; undefined when it has no valid one. */
export function traceparentOf(ctx: Context): string | undefined {
  const carrier: Record<string, string> = {};
  w3c.inject(ctx, carrier, defaultTextMapSetter);
  return carrier[TRACEPARENT];
}

/** The remote context a `traceparent` names; undefined when it is absent or malformed. */
export function contextFromTraceparent(value: unknown): Context | undefined {
  if (typeof value !== 'string' || value.length === 0) return undefined;
  const ctx = w3c.extract(ROOT_CONTEXT, { [TRACEPARENT]: value }, defaultTextMapGetter);
  return trace.getSpanContext(ctx) ? ctx : undefined;
}

/** The context carried by an event's application properties (as the trigger hands them over). */
export function contextFromProperties(properties: unknown): Context | undefined {
  if (typeof properties !== 'object' || properties === null) return undefined;
  return contextFromTraceparent((properties as Record<string, unknown>)[TRACEPARENT]);
}

/**
 * The span each order's work runs in, for the code that publishes on its behalf: handlers publish a
 * batch's events together, so the publisher looks each event's order up here rather than relying on
 * the one active span. Kept in its own async storage, so it works with no tracer provider at all.
 */
const orderContexts = new AsyncLocalStorage<ReadonlyMap<string, Context>>();

/** The context an event of this order is published under: its order's span, else the active span. */
function contextForOrder(orderId: string): Context {
  return orderContexts.getStore()?.get(orderId) ?? context.active();
}

/** The `traceparent` to store with an order's row, for a timer that later publishes for it. */
export function traceparentForOrder(orderId: string): string | undefined {
  return traceparentOf(contextForOrder(orderId));
}

export interface TracedItem {
  /** What failures are reported by: an event id (consumers) or an order id (timers). */
  key: string;
  orderId: string;
  /** The span's name, e.g. `brewBeverages CupsReserved`. */
  name: string;
  /** The trace the item continues: the event's `traceparent`, or the one stored with the order. */
  parent: Context | undefined;
  attributes?: Attributes;
}

/**
 * Spans for one invocation that works on many orders: a span for the invocation, linked to every
 * item's trace (a batch cannot be the child of many traces), and a span per item, the child of the
 * item's own trace, so each order's trace shows this hop. Items without a trace become children of
 * the invocation's span. The per-item spans last as long as the invocation: the handlers apply a
 * batch as a whole.
 */
export class SpanBatch {
  private readonly spans = new Map<string, Span>();
  private readonly contexts = new Map<string, Context>();
  private readonly span: Span;
  private readonly ctx: Context;

  constructor(
    name: string,
    private readonly kind: SpanKind,
    items: readonly TracedItem[] = [],
    attributes: Attributes = {},
  ) {
    this.span = tracer().startSpan(name, { kind, attributes }, context.active());
    this.ctx = trace.setSpan(context.active(), this.span);
    for (const item of items) this.add(item);
  }

  add(item: TracedItem): void {
    if (this.spans.has(item.key)) return;
    const parent = item.parent ?? this.ctx;
    const parentSpan = trace.getSpanContext(parent);
    if (item.parent && parentSpan && this.span.isRecording()) this.span.addLink({ context: parentSpan });
    const span = tracer().startSpan(item.name, { kind: this.kind, attributes: { 'cafe.order_id': item.orderId, ...item.attributes } }, parent);
    this.spans.set(item.key, span);
    this.contexts.set(item.orderId, trace.setSpan(parent, span));
  }

  /** Runs `fn` with the invocation's span active and each order's span where its events are published. */
  run<R>(fn: () => R): R {
    return context.with(this.ctx, () => orderContexts.run(this.contexts, fn));
  }

  /**
   * Runs `fn` as the whole invocation: a failure marks the invocation's span before it propagates, and
   * every span of the batch ends either way.
   */
  async runToEnd<R>(fn: () => Promise<R>): Promise<R> {
    try {
      return await this.run(fn);
    } catch (error) {
      this.failRun(error);
      throw error;
    } finally {
      this.end();
    }
  }

  fail(key: string, error: unknown): void {
    const span = this.spans.get(key);
    if (!span) return;
    span.setStatus({ code: SpanStatusCode.ERROR, message: describe(error) });
    if (error instanceof Error) span.recordException(error);
  }

  /** The invocation failed, not (only) particular items. */
  failRun(error: unknown): void {
    this.span.setStatus({ code: SpanStatusCode.ERROR, message: describe(error) });
  }

  /** The invocation failed without knowing which items were done: every item is marked. */
  failAll(error: unknown): void {
    for (const key of this.spans.keys()) this.fail(key, error);
    this.failRun(error);
  }

  end(): void {
    for (const span of this.spans.values()) span.end();
    this.span.end();
  }
}

/** Runs `fn` with these orders' events published under these contexts (see `contextForOrder`). */
export function withOrderContexts<R>(contexts: ReadonlyMap<string, Context>, fn: () => R): R {
  return orderContexts.run(contexts, fn);
}

/**
 * Runs `fn` in a span of its own, the child of `parent` (default: the active context); `fn` gets the
 * span's context too, which is the way to reach it when no tracer provider is registered.
 */
export async function inSpan<R>(name: string, kind: SpanKind, fn: (span: Span, ctx: Context) => Promise<R>, parent: Context = context.active()): Promise<R> {
  return tracer().startActiveSpan(name, { kind }, parent, async (span) => {
    try {
      return await fn(span, trace.setSpan(parent, span));
    } catch (error) {
      span.setStatus({ code: SpanStatusCode.ERROR, message: describe(error) });
      if (error instanceof Error) span.recordException(error);
      throw error;
    } finally {
      span.end();
    }
  });
}

const describe = (error: unknown) => (error instanceof Error ? error.message : String(error));

export { SpanKind };
