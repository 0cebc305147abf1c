import { spawn } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeEvent } from '../../shared/events';
import { eventually, sharedLocalHost, type Order } from '../support/localHost';

/**
 * `npm run events` against the local host (`npm start`): without a namespace it tails and publishes through the
 * host's event log, decoding as the app does. Runs scripts/events.mjs as an operator would, on the built tool.
 */
const SCRIPT = path.resolve(__dirname, '..', '..', 'scripts', 'events.mjs');
const shared = sharedLocalHost();

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function events(args: string[], input?: string, onStderr?: (text: string) => void): Promise<Run> {
  return new Promise((resolve, reject) => {
    // No namespace in the environment: the tool must pick the local host by itself.
    const env = { ...process.env };
    delete env.AZURE_EVENTHUBS_NAMESPACE;
    const child = spawn(process.execPath, [SCRIPT, ...args], { env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      onStderr?.(stderr);
    });
    child.on('error', reject);
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(input ?? '');
  });
}

const SAGA = ['OrderPlaced', 'CupsReserved', 'BrewingStarted', 'BeverageCompleted', 'OrderCompleted'];

describe('npm run events against the local host', () => {
  it('tails one order\'s saga from the local event log until its last event', async () => {
    const store = `tail-${process.pid}`;
    expect((await shared.http.send('PUT', `/inventories/${store}`, { cups: 3 })).status).toBe(200);
    const placed = await shared.http.send<Order>('POST', '/orders', { storeId: store, customerId: 'c-tail', items: [{ menuItemId: 'americano', quantity: 1 }] });
    expect(placed.status).toBe(202);
    const orderId = placed.body.id;
    await eventually(async () => ((await shared.http.get<Order>(`/orders/${orderId}`)).body.status === 'completed' ? true : undefined), 'the order to complete');

    const result = await events(['tail', '--local', '--url', shared.host.url, '--from-beginning', '--order', orderId, '--until', SAGA.join(','), '--timeout', '60', '--json']);

    expect(result.stderr).toContain('(local event log)');
    expect(result.code, `${result.stderr}\n${result.stdout}`).toBe(0);
    const seen = result.stdout.trim().split('\n').map((l) => JSON.parse(l) as { event: { type: string; orderId: string }; headers: Record<string, string> });
    expect(seen.every((s) => s.event.orderId === orderId)).toBe(true);
    expect(new Set(seen.map((s) => s.event.type))).toEqual(new Set(SAGA));
    // the app's own publisher sets type and version as text
    for (const s of seen) expect(s.headers).toEqual({ type: s.event.type, version: '1' });
  });

  it('publishes valid events through the host, which the app consumes, and a tail from now on sees them', async () => {
    const store = `pub-${process.pid}`;
    const orderId = `ext${process.pid}`;
    const event = makeEvent('OrderCompleted', { orderId, storeId: store, occurredAt: new Date().toISOString(), customerId: 'c-pub' });

    // a tail from now on: the event goes in once it knows the end of every partition
    let ready = () => undefined as void;
    const positioned = new Promise<void>((resolve) => (ready = resolve));
    const tail = events(['tail', '--local', '--url', shared.host.url, '--order', orderId, '--until', 'OrderCompleted', '--timeout', '30'], undefined, (text) => {
      if (text.includes('tail: ready')) ready();
    });
    await positioned;
    const published = await events(['publish', '--local', '--url', shared.host.url], JSON.stringify(event));

    expect(published.stderr).toContain('published 1 event(s)');
    expect(published.code).toBe(0);
    const tailed = await tail;
    expect(tailed.code).toBe(0);
    expect(tailed.stdout).toMatch(new RegExp(`OrderCompleted +order=${orderId} store=${store} id=${orderId}\\.OrderCompleted`));
    // the notifications service consumed it like any other event
    await eventually(async () => {
      const { body } = await shared.http.get<{ kind: string }[]>(`/notifications?orderId=${orderId}`);
      return body.some((n) => n.kind === 'order-completed') ? true : undefined;
    }, 'the notification of the published event');
  });

  it('refuses an invalid event and sends nothing', async () => {
    const orderId = `bad${process.pid}`;
    const bad = { ...makeEvent('OrderCompleted', { orderId, storeId: 'main', occurredAt: new Date().toISOString(), customerId: 'c' }), storeId: 'NOT A STORE' };
    const result = await events(['publish', '--local', '--url', shared.host.url, '--event', JSON.stringify(bad)]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/Event 1 is not a valid cafe event: storeId/);
    const tail = await events(['tail', '--local', '--url', shared.host.url, '--from-beginning', '--order', orderId, '--until', 'OrderCompleted', '--timeout', '3']);
    expect(tail.code).toBe(1);
    expect(tail.stderr).toContain('never saw OrderCompleted');
  });

  it('answers a tail that never sees what it waits for with exit code 1 once its timeout ends', async () => {
    const result = await events(['tail', '--local', '--url', shared.host.url, '--order', 'no-such-order', '--until', 'OrderCompleted', '--timeout', '2']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('tail: 0 event(s); never saw OrderCompleted');
  });
});

