import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, eventually, isFinal, startLocalHost, type Api, type LocalHost, type Order } from '../support/localHost';

/**
 * `npm start` with OTEL_EXPORTER_OTLP_ENDPOINT exports its spans over OTLP/HTTP: a small collector here
 * receives them and decodes the exporter's JSON just enough to find the service and the spans.
 */
interface ExportedSpan {
  name: string;
  traceId: string;
  service: string | undefined;
}

interface OtlpTraces {
  resourceSpans?: {
    resource?: { attributes?: { key: string; value?: { stringValue?: string } }[] };
    scopeSpans?: { spans?: { name: string; traceId: string }[] }[];
  }[];
}

function collector() {
  const spans: ExportedSpan[] = [];
  const requests: { path: string | undefined; contentType: string | undefined }[] = [];
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      requests.push({ path: request.url, contentType: request.headers['content-type'] });
      if (request.url === '/v1/traces' && request.headers['content-type']?.startsWith('application/json')) {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as OtlpTraces;
        for (const resource of body.resourceSpans ?? []) {
          const service = resource.resource?.attributes?.find((a) => a.key === 'service.name')?.value?.stringValue;
          for (const scope of resource.scopeSpans ?? []) for (const span of scope.spans ?? []) spans.push({ name: span.name, traceId: span.traceId, service });
        }
      }
      response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  return { server, spans, requests };
}

describe('npm start exports its traces to the OTLP endpoint in its settings', () => {
  const received = collector();
  let host: LocalHost;
  let http: Api;

  beforeAll(async () => {
    await new Promise<void>((resolve) => received.server.listen(0, '127.0.0.1', resolve));
    const { port } = received.server.address() as AddressInfo;
    host = await startLocalHost({ env: { OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${port}`, OTEL_SERVICE_NAME: 'cafe-e2e' } });
    http = api(host.url);
  });

  afterAll(async () => {
    await host?.stop();
    host?.cleanup();
    await new Promise<void>((resolve) => received.server.close(() => resolve()));
  });

  it('an order placed with a traceparent is one trace through every service, sent to /v1/traces', async () => {
    const traceId = 'a3ce929d0e0e47364bf92f3577b34da6';
    await http.send('PUT', '/inventories/traced', { cups: 5 });
    const placed = await http.send<Order>('POST', '/orders', { storeId: 'traced', customerId: 'c-traced', items: [{ menuItemId: 'americano', quantity: 1 }] }, {
      traceparent: `00-${traceId}-00f067aa0ba902b7-01`,
    });
    expect(placed.status).toBe(202);
    const done = await eventually(async () => {
      const { body } = await http.get<Order>(`/orders/${placed.body.id}`);
      return isFinal(body) ? body : undefined;
    }, 'the order to finish');
    expect(done.status).toBe('completed');

    const expected = [
      'placeOrder',
      'reserveCups OrderPlaced',
      'brewBeverages CupsReserved',
      'completeBeverages BeverageCompleted',
      'trackOrders BeverageCompleted',
      'notifyCustomers OrderCompleted',
      'projectKiosk OrderCompleted',
    ];
    const names = await eventually(async () => {
      const inTrace = new Set(received.spans.filter((s) => s.traceId === traceId).map((s) => s.name));
      return expected.every((name) => inTrace.has(name)) ? inTrace : undefined;
    }, `spans of trace ${traceId} from every hop (received: ${JSON.stringify(received.requests.slice(0, 3))})`);
    expect([...names]).toEqual(expect.arrayContaining(expected));
    expect(new Set(received.spans.map((s) => s.service))).toEqual(new Set(['cafe-e2e']));
  });
});
