import { app } from '@azure/functions';
import { context, metrics } from '@opentelemetry/api';
import type { PushMetricExporter } from '@opentelemetry/sdk-metrics';
import type { SpanExporter } from '@opentelemetry/sdk-trace-base';
import type { TelemetryConfig } from './config';
import { azureCredential } from './credential';
import { contextFromTraceparent } from './tracing';

/** Metrics are exported once a minute: Application Insights aggregates customMetrics per minute anyway. */
const METRIC_INTERVAL_MS = 60_000;

export interface Telemetry {
  /** Sends what is buffered and stops the exporters (the host's appTerminate). */
  shutdown(): Promise<void>;
}

let started: Telemetry | null | undefined;

/**
 * Sets OpenTelemetry up once per process: with Application Insights configured, traces and metrics go
 * there (requests, dependencies and customMetrics); with an OTLP endpoint, to that collector over
 * OTLP/HTTP; with neither, nothing is registered, the API stays a no-op and costs next to nothing.
 *
 * Every span is kept (parent-based, always on): an order's trace is only whole if every hop keeps its
 * part, and a sampler that decides per process would cut traces apart. The business metrics are
 * metrics, never sampled, so counts and alerts do not depend on the volume of traces.
 */
export function startTelemetry(config: TelemetryConfig): Telemetry | null {
  if (started !== undefined) return started;
  if (!config.azureMonitor && !config.otlpEndpoint) {
    started = null;
    return started;
  }
  // The SDK and the exporters are loaded only when something is exported: they take a noticeable part of
  // a cold start, and most processes (tests, npm start without an endpoint) export nothing.
  /* eslint-disable @typescript-eslint/no-require-imports */
  const { OTLPMetricExporter } = require('@opentelemetry/exporter-metrics-otlp-http') as typeof import('@opentelemetry/exporter-metrics-otlp-http');
  const { OTLPTraceExporter } = require('@opentelemetry/exporter-trace-otlp-http') as typeof import('@opentelemetry/exporter-trace-otlp-http');
  const { resourceFromAttributes } = require('@opentelemetry/resources') as typeof import('@opentelemetry/resources');
  const { MeterProvider, PeriodicExportingMetricReader } = require('@opentelemetry/sdk-metrics') as typeof import('@opentelemetry/sdk-metrics');
  const { AlwaysOnSampler, BatchSpanProcessor, ParentBasedSampler } = require('@opentelemetry/sdk-trace-base') as typeof import('@opentelemetry/sdk-trace-base');
  const { NodeTracerProvider } = require('@opentelemetry/sdk-trace-node') as typeof import('@opentelemetry/sdk-trace-node');
  /* eslint-enable @typescript-eslint/no-require-imports */
  const spanExporters: SpanExporter[] = [];
  const metricExporters: PushMetricExporter[] = [];
  if (config.azureMonitor) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { AzureMonitorMetricExporter, AzureMonitorTraceExporter } = require('@azure/monitor-opentelemetry-exporter') as typeof import('@azure/monitor-opentelemetry-exporter');
    const options = { connectionString: config.azureMonitor.connectionString, credential: azureCredential(config.azureMonitor.clientId) };
    spanExporters.push(new AzureMonitorTraceExporter(options));
    metricExporters.push(new AzureMonitorMetricExporter(options));
  }
  if (config.otlpEndpoint) {
    // Headers (an API key, say) come from OTEL_EXPORTER_OTLP_HEADERS, which the exporters read themselves.
    spanExporters.push(new OTLPTraceExporter({ url: `${config.otlpEndpoint}/v1/traces` }));
    metricExporters.push(new OTLPMetricExporter({ url: `${config.otlpEndpoint}/v1/metrics` }));
  }
  if (spanExporters.length === 0) {
    started = null;
    return started;
  }

  const resource = resourceFromAttributes({ 'service.name': config.serviceName });
  const tracerProvider = new NodeTracerProvider({
    resource,
    sampler: new ParentBasedSampler({ root: new AlwaysOnSampler() }),
    spanProcessors: spanExporters.map((exporter) => new BatchSpanProcessor(exporter)),
  });
  // Also installs the async context manager and the W3C propagator.
  tracerProvider.register();
  const meterProvider = new MeterProvider({
    resource,
    readers: metricExporters.map((exporter) => new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: METRIC_INTERVAL_MS })),
  });
  metrics.setGlobalMeterProvider(meterProvider);
  bindHostTraceContext();
  const telemetry: Telemetry = {
    async shutdown() {
      await Promise.allSettled([tracerProvider.shutdown(), meterProvider.shutdown()]);
    },
  };
  app.hook.appTerminate(() => telemetry.shutdown());
  started = telemetry;
  return started;
}

/**
 * Runs each handler in the trace the Functions host started for its invocation (the HTTP request's,
 * say), so the app's spans sit under the host's request in Application Insights. The local host
 * passes none, and then the app's spans start their own traces.
 */
function bindHostTraceContext(): void {
  app.hook.preInvocation((hook) => {
    const parent = contextFromTraceparent(hook.invocationContext.traceContext?.traceParent);
    if (!parent) return;
    const handler = hook.functionHandler;
    hook.functionHandler = (...args: unknown[]) => context.with(parent, () => (handler as (...a: unknown[]) => unknown)(...args));
  });
}
