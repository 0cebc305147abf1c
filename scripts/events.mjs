#!/usr/bin/env node
// `npm run events -- tail|publish ...`: reads and writes the cafe-events hub, through the Event Hubs namespace's
// Kafka endpoint on Azure or the local host's event log. The logic lives in tools/events/ (built to dist/).
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const { runEvents } = require(path.join(root, 'dist/tools/events/cli.js'));

const stop = new AbortController();
process.once('SIGINT', () => stop.abort());
process.once('SIGTERM', () => stop.abort());

async function readStdin() {
  let text = '';
  for await (const chunk of process.stdin) text += chunk;
  return text;
}

const code = await runEvents(process.argv.slice(2), {
  env: process.env,
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
  readStdin,
  readFile: (file) => readFile(file, 'utf8'),
  // Loaded only when a namespace is given, so the local path needs no Kafka client.
  kafka: (namespace) => require(path.join(root, 'dist/tools/events/kafkaClients.js')).kafkaEndpoint(namespace),
  signal: stop.signal,
  random: () => randomBytes(4).toString('hex'),
});
process.exit(code);
