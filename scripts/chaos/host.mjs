// The product under test, started as a user starts it (`node local-host/start.mjs`), in a process group of
// its own so that a fault hits the whole group at once: the host and the Azurite it embeds.
import { spawn } from 'node:child_process';
import { createWriteStream, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** pid → { ppid, pgrp, state } for every process visible in /proc (Linux only). */
function processTable() {
  const table = new Map();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      // The command name sits in parentheses and may contain spaces: the fields start after the last ')'.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      table.set(Number(name), { state: fields[0], ppid: Number(fields[1]), pgrp: Number(fields[2]) });
    } catch {
      // The process ended while the table was read.
      continue;
    }
  }
  return table;
}

function cmdline(pid) {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
  } catch {
    return '';
  }
}

/** Living (not zombie) descendants of `root`, nearest first. */
export function descendants(root) {
  const table = processTable();
  const found = [];
  const queue = [root];
  while (queue.length) {
    const parent = queue.shift();
    for (const [pid, p] of table) {
      if (p.ppid === parent && p.state !== 'Z') {
        found.push(pid);
        queue.push(pid);
      }
    }
  }
  return found;
}

/** Whether any living process is still in process group `pgid` (zombies left for a non-reaping init do not count). */
export function groupAlive(pgid) {
  for (const p of processTable().values()) if (p.pgrp === pgid && p.state !== 'Z') return true;
  return false;
}

export class ProductHost {
  /**
   * @param {{ root: string, port: number, dataDir: string, env: Record<string,string>, logDir: string, log: (line: string) => void }} options
   */
  constructor(options) {
    this.options = options;
    this.starts = 0;
    this.child = undefined;
    this.pgid = undefined;
    /** Every pid seen in the product's tree, to end stragglers that left the group. */
    this.seen = new Map();
  }

  get base() {
    return `http://127.0.0.1:${this.options.port}`;
  }

  /** Starts the host and resolves once it prints "Listening on"; rejects when it exits first or takes too long. */
  async start(timeoutMs = 90_000) {
    const { root, port, dataDir, env, logDir } = this.options;
    this.starts += 1;
    const log = createWriteStream(path.join(logDir, `host-${this.starts}.log`));
    const child = spawn(process.execPath, [path.join(root, 'local-host', 'start.mjs')], {
      cwd: root,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, ...env, PORT: String(port), CAFE_DATA_DIR: dataDir, CAFE_SKIP_BUILD: 'true' },
    });
    this.child = child;
    this.pgid = child.pid;
    this.exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
    child.stderr.pipe(log, { end: false });
    let out = '';
    await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the host did not print "Listening on" within ${timeoutMs / 1000} s (log: host-${this.starts}.log)`)), timeoutMs);
      child.stdout.on('data', (chunk) => {
        log.write(chunk);
        if (out.length < 100_000) out += chunk;
        if (/Listening on /.test(out)) {
          clearTimeout(timer);
          resolve();
        }
      });
      void this.exited.then(({ code, signal }) => {
        clearTimeout(timer);
        reject(new Error(`the host exited (code ${code}, signal ${signal}) before it listened (log: host-${this.starts}.log)`));
      });
    });
    this.remember();
  }

  remember() {
    if (this.pgid === undefined) return;
    for (const pid of [this.pgid, ...descendants(this.pgid)]) this.seen.set(pid, cmdline(pid));
  }

  /** The embedded Azurite: a descendant of the host whose command line mentions azurite. */
  azuritePid() {
    if (this.pgid === undefined) return undefined;
    return descendants(this.pgid).find((pid) => /azurite/i.test(cmdline(pid)));
  }

  /** Sends `signal` to the whole process group, as `kill -SIG -pgid` does. */
  signalGroup(signal) {
    this.remember();
    try {
      process.kill(-this.pgid, signal);
      return true;
    } catch (error) {
      if (error.code === 'ESRCH') return false;
      throw error;
    }
  }

  /** Waits until no process of the group is left; false when it takes longer than `timeoutMs`. */
  async waitGone(timeoutMs) {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (!groupAlive(this.pgid)) return true;
      await sleep(100);
    }
    return !groupAlive(this.pgid);
  }

  /** SIGKILL of the whole group; resolves once every process of it is gone. */
  async kill() {
    this.signalGroup('SIGKILL');
    if (!(await this.waitGone(15_000))) throw new Error(`process group ${this.pgid} survived SIGKILL`);
  }

  /** SIGTERM of the whole group; escalates to SIGKILL after `graceMs`. Resolves with whether it had to. */
  async terminate(graceMs = 45_000) {
    this.signalGroup('SIGTERM');
    if (await this.waitGone(graceMs)) return { escalated: false };
    await this.kill();
    return { escalated: true };
  }

  /** Ends everything this campaign started: the current group, then any process of the product's tree still alive. */
  async stopAll() {
    if (this.pgid !== undefined && groupAlive(this.pgid)) await this.terminate(20_000).catch(() => this.signalGroup('SIGKILL'));
    for (const [pid, line] of this.seen) {
      // Only a process that still runs the same command line is ours (pids are reused).
      if (line && cmdline(pid) === line) {
        try {
          process.kill(pid, 'SIGCONT');
          process.kill(pid, 'SIGKILL');
        } catch {
          continue;
        }
      }
    }
  }
}
