// Drives an autocannon child process (bench/lib/cannon.mjs), optionally pinned to one CPU.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { root } from './common.mjs';

/** Closed-loop load at `connections` for `seconds` after a warm-up; rps counts 2xx answers only. */
export function cannon({ url, headers, connections = 32, warmupSeconds = 3, seconds = 10, cpu }) {
  const args = [`${root}bench/lib/cannon.mjs`, JSON.stringify({ url, headers, connections, warmupSeconds, seconds })];
  const pinned = cpu !== undefined && existsSync('/usr/bin/taskset');
  const child = pinned ? spawn('taskset', ['-c', String(cpu), process.execPath, ...args]) : spawn(process.execPath, args);
  let out = '';
  let err = '';
  child.stdout.on('data', (chunk) => (out += chunk));
  child.stderr.on('data', (chunk) => (err += chunk));
  return new Promise((resolve, reject) =>
    child.on('exit', (code) => {
      if (code !== 0) return reject(new Error(`autocannon failed (${code}): ${err}`));
      resolve(JSON.parse(out.trim().split('\n').pop()));
    }),
  );
}
