import { spawn } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { sharedLocalHost } from '../support/localHost';

/**
 * The deploy workflow's smoke test (scripts/smoke-test.sh), run against the local host: one order end to end
 * in the smoke test's own store, its saga read back from the hub (here the local event log), and the store's
 * stock put back as it was found.
 */
const SCRIPT = path.resolve(__dirname, '..', '..', 'scripts', 'smoke-test.sh');
const shared = sharedLocalHost();

function smoke(env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', [SCRIPT, shared.host.url], {
      env: { ...process.env, SMOKE_HEALTH_TIMEOUT: '30', SMOKE_ORDER_TIMEOUT: '60', SMOKE_EVENTS_TIMEOUT: '60', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.on('error', reject);
    child.on('exit', (code) => resolve({ code, output }));
  });
}

describe('scripts/smoke-test.sh', () => {
  it('completes an order in its own store, reads the saga back from the hub and leaves the stock as it found it', async () => {
    const store = `smoke-${process.pid}`;
    expect((await shared.http.send('PUT', `/inventories/${store}`, { cups: 7 })).status).toBe(200);

    const run = await smoke({ SMOKE_STORE: store, SMOKE_REQUIRE_COMPLETED: '1', SMOKE_EVENTS: 'local' });

    expect(run.output).toContain(`stock of store ${store} was 7, set to 1`);
    expect(run.output).toMatch(/tail: 5 event\(s\)/);
    expect(run.output).toMatch(/smoke: OK \(order \w+ completed\)/);
    expect(run.code).toBe(0);
    const after = await shared.http.get<{ cups: number }>(`/inventories/${store}`);
    expect(after.body.cups).toBe(7);
  });

  it('puts a store it found unset back to 0 cups', async () => {
    const store = `smoke-new-${process.pid}`;
    const run = await smoke({ SMOKE_STORE: store });
    expect(run.code).toBe(0);
    expect(run.output).toContain(`stock of store ${store} restored to 0`);
    expect((await shared.http.get<{ cups: number }>(`/inventories/${store}`)).body.cups).toBe(0);
  });

  it('refuses to touch the customers\' store', async () => {
    const run = await smoke({ SMOKE_STORE: 'main' });
    expect(run.code).toBe(2);
    expect(run.output).toContain('must be a store of the smoke test\'s own');
  });
});
