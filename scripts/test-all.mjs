#!/usr/bin/env node
// `npm test`: every check and test suite, arranged to keep a 2-core machine busy (CI has 15 minutes).
//
//   1. build: the library then the API, beside the console's build.
//   2. the end-to-end suite (two Jest workers, its output live), beside the other checks one after the
//      other at a lower CPU priority: static checks, the package check, unit tests, the host app from
//      the packed tarball, the console's component tests. The e2e suite leaves about a fifth of the
//      machine idle (its tests wait on timers, restarts and other processes), which the checks fill; at
//      nice 10 they yield the CPU whenever the e2e suite wants it, so its timing does not change.
//   3. the browser suite (it keeps both cores busy by itself).
//
// Each check's output is printed when it ends; the run goes on after a failing check (so one run shows
// every failure) unless the build fails, and exits non-zero if anything failed. The same scripts run
// alone with `npm run <name>`.
import { spawn } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const timings = [];
let failed = false;

/** `npm run <name>`: its output live (`live`) or held until it ends; resolves to whether it passed. */
function npmRun(name, { live = false, nice = false } = {}) {
  const started = performance.now();
  const command = nice && process.platform !== 'win32' ? ['nice', ['-n', '10', 'npm', 'run', name]] : ['npm', ['run', name]];
  return new Promise((done) => {
    const child = spawn(command[0], command[1], { cwd: root, stdio: live ? 'inherit' : ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout?.on('data', (chunk) => (output += chunk));
    child.stderr?.on('data', (chunk) => (output += chunk));
    child.on('error', (error) => (output += `${error.message}\n`));
    child.on('close', (code) => {
      const seconds = (performance.now() - started) / 1000;
      const passed = code === 0;
      timings.push([name, seconds, passed]);
      if (!passed) failed = true;
      process.stdout.write(`${output}\n[test] ${name}: ${passed ? 'passed' : `FAILED (exit ${code})`} in ${seconds.toFixed(1)} s\n`);
      done(passed);
    });
  });
}

async function inOrder(names, options) {
  for (const name of names) await npmRun(name, options);
}

const started = performance.now();
const [library] = await Promise.all([(async () => (await npmRun('build:lib')) && (await npmRun('build:api')))(), npmRun('build:console')]);
if (library && !failed) {
  await Promise.all([
    npmRun('test:e2e', { live: true }),
    inOrder(['static-checks', 'package:check', 'test:unit', 'test:host-app', 'test:console'], { nice: true }),
  ]);
  await npmRun('test:browser', { live: true });
}

const total = (performance.now() - started) / 1000;
process.stdout.write(
  `\n[test] ${failed ? 'FAILED' : 'passed'} in ${total.toFixed(0)} s\n${timings.map(([name, seconds, passed]) => `  ${passed ? '  ' : '✗ '}${name.padEnd(16)} ${seconds.toFixed(1).padStart(6)} s`).join('\n')}\n`,
);
process.exitCode = failed ? 1 : 0;
