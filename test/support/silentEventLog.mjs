/**
 * Loaded into a local host with `--import` (see test/e2e/intake.e2e.test.ts). While the file named by
 * CAFE_TEST_SILENT_EVENT_LOG exists, the app's publishes to the host's event log never answer: a hub
 * that takes the connection and then goes quiet. A publish given a signal fails when it is aborted, as
 * fetch does. When the file is removed, publishes still waiting fail as a reset connection would, and
 * new ones go through. Nothing else in the host is touched.
 */
import { existsSync } from 'node:fs';

const flag = process.env.CAFE_TEST_SILENT_EVENT_LOG;
if (flag) {
  const realFetch = globalThis.fetch;
  const waiting = new Set();
  setInterval(() => {
    if (existsSync(flag)) return;
    for (const fail of waiting) fail(new TypeError('fetch failed: connection reset'));
  }, 100).unref();

  globalThis.fetch = function fetchThatMayGoSilent(input, init) {
    const url = new URL(typeof input === 'string' || input instanceof URL ? input : input.url);
    if (!/^\/_eventhubs\/[^/]+\/messages$/.test(url.pathname) || !existsSync(flag)) return realFetch(input, init);
    return new Promise((_, reject) => {
      const fail = (error) => {
        waiting.delete(fail);
        reject(error);
      };
      waiting.add(fail);
      const signal = init && init.signal;
      if (signal) signal.addEventListener('abort', () => fail(signal.reason), { once: true });
    });
  };
}
