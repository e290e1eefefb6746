// Shared helpers of the benchmarks: processes, ports, databases, statistics.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import pg from 'pg';

export const root = fileURLToPath(new URL('../..', import.meta.url));
export const demoEntry = `${root}dist/apps/api/src/main.js`;
export const hostEntry = `${root}dist/bench/host/main.js`;
export { sleep };

/** Sorted-sample percentiles (nearest rank). */
export function stats(samples) {
  const sorted = Float64Array.from(samples).sort();
  const at = (p) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] : NaN);
  const mean = sorted.length ? sorted.reduce((sum, value) => sum + value, 0) / sorted.length : NaN;
  return { n: sorted.length, p50: at(0.5), p95: at(0.95), p99: at(0.99), max: sorted.length ? sorted[sorted.length - 1] : NaN, mean };
}

/** Times `work` sequentially (one in flight), in microseconds. */
export async function timeLoop(iterations, work, warmup = Math.min(200, Math.floor(iterations / 10))) {
  for (let i = 0; i < warmup; i++) await work(i);
  const samples = new Float64Array(iterations);
  for (let i = 0; i < iterations; i++) {
    const started = performance.now();
    await work(i);
    samples[i] = (performance.now() - started) * 1000;
  }
  return stats(samples);
}

export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

const children = new Set();
function killAll() {
  for (const child of children) child.kill('SIGKILL');
}
process.on('exit', killAll);
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    killAll();
    process.exit(130);
  });
}

/**
 * Starts a Node process on a free port and waits until `readyPath` answers (any status below 500).
 * `cpu`: a taskset CPU list to pin it to (ignored where taskset is missing).
 */
export async function startNode(entry, { env = {}, readyPath = '/api/health', args = [], cpu, timeoutMs = 120_000, name = 'process' } = {}) {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const { NODE_OPTIONS: _ignored, ...inherited } = process.env;
  const command = cpu !== undefined && hasTaskset() ? ['taskset', ['-c', String(cpu), process.execPath, ...args, entry]] : [process.execPath, [...args, entry]];
  const child = spawn(command[0], command[1], {
    cwd: root,
    env: { ...inherited, PORT: String(port), PUBLIC_ORIGIN: url, NO_COLOR: '1', ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  children.add(child);
  let stderr = '';
  child.stderr.on('data', (chunk) => (stderr = (stderr + chunk).slice(-4000)));
  let exited = null;
  const exit = new Promise((resolve) => child.once('exit', (code, signal) => resolve((exited = signal ?? code))));
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (exited !== null) throw new Error(`${name} exited (${exited}) before it was ready:\n${stderr}`);
    try {
      const response = await fetch(`${url}${readyPath}`, { signal: AbortSignal.timeout(2000) });
      await response.arrayBuffer();
      if (response.status < 500) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`${name} was not ready within ${timeoutMs} ms:\n${stderr}`);
    }
    await sleep(100);
  }
  return {
    url,
    port,
    pid: child.pid,
    stderr: () => stderr,
    async stop() {
      if (exited !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exit;
      clearTimeout(timer);
      children.delete(child);
    },
  };
}

let tasksetChecked;
function hasTaskset() {
  if (tasksetChecked === undefined) {
    try {
      readFileSync('/usr/bin/taskset');
      tasksetChecked = true;
    } catch {
      tasksetChecked = false;
    }
  }
  return tasksetChecked;
}

/** Resident set size of a process, in bytes (Linux). */
export function rssOf(pid) {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match ? Number(match[1]) * 1024 : NaN;
}

/** A process's CPU time so far (user + system), in seconds, from /proc (Linux; NaN elsewhere). */
export function processCpuSeconds(pid) {
  try {
    // The fields after the command name (which may hold spaces): utime and stime are the 12th and 13th.
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ').pop().split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_SECOND;
  } catch {
    return NaN;
  }
}

// USER_HZ: 100 on every Linux this runs on (the kernel's ABI for /proc, whatever CONFIG_HZ is).
const CLOCK_TICKS_PER_SECOND = 100;

/** One numeric field of a Redis `INFO` reply (`name:value` lines); `missing` when it is absent. */
export function redisInfoField(info, name, missing = NaN) {
  return Number(new RegExp(`^${name}:([\\d.]+)`, 'm').exec(info)?.[1] ?? missing);
}

/** Creates a database for this run and returns its URL and a function that drops it. */
export async function createDatabase(serverUrl, name) {
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${pg.escapeIdentifier(name)}`);
  await admin.end();
  const url = Object.assign(new URL(serverUrl), { pathname: `/${name}` }).toString();
  return {
    url,
    async drop() {
      const client = new pg.Client({ connectionString: serverUrl });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(name)} WITH (FORCE)`);
      await client.end();
    },
  };
}

/** Cookie `name` from Set-Cookie lines. */
export function cookieOf(lines, name) {
  return lines
    .map((line) => line.split(';')[0])
    .find((pair) => pair.startsWith(`${name}=`))
    ?.slice(name.length + 1);
}

export async function postJson(url, body, headers = {}) {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  const text = await response.text();
  let json = null;
  try {
    json = JSON.parse(text);
  } catch {
    // not JSON: the body stays null
  }
  return { status: response.status, body: json, cookies: response.headers.getSetCookie() };
}

/** Runs `work(i)` for i in [0, n) with at most `concurrency` in flight. */
export async function pool(n, concurrency, work) {
  let next = 0;
  const results = new Array(n);
  await Promise.all(
    Array.from({ length: Math.min(n, concurrency) }, async () => {
      while (next < n) {
        const i = next++;
        results[i] = await work(i);
      }
    }),
  );
  return results;
}
