#!/usr/bin/env node
// The library as a host app meets it: packs libs/auth-sessions (the built dist, as `npm publish` would),
// copies examples/host-app to a temporary folder outside the repository (so nothing resolves from the
// workspace's node_modules), installs the tarball there with the app's own dependencies, builds the
// app with its own TypeScript, checks the installed tree has no missing or invalid (peer) dependency,
// runs the app's smoke test (node:test, Express and Fastify) against a database and Redis prefix of its
// own (test-support/global-setup.ts, the e2e harness), then asks TypeORM's CLI whether
// `migration:generate` would change anything in that migrated database. Prints the time of each step.
//
//   node scripts/test-host-app.mjs          (npm run test:host-app; needs `npm run build` first)
//   KEEP_HOST_APP=1 node scripts/…          keeps the temporary folder for a look afterwards
import { spawn } from 'node:child_process';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const library = join(root, 'libs/auth-sessions');
const example = join(root, 'examples/host-app');
const timings = [];

async function step(name, work) {
  const started = performance.now();
  try {
    return await work();
  } finally {
    const seconds = (performance.now() - started) / 1000;
    timings.push([name, seconds]);
    console.log(`[host-app] ${name}: ${seconds.toFixed(1)} s`);
  }
}

function run(command, args, options = {}) {
  return new Promise((resolvePromise, reject) => {
    // NODE_OPTIONS may carry a parent's flags (jest's --experimental-vm-modules); the app needs none.
    const { NODE_OPTIONS: _parentOptions, ...env } = process.env;
    const child = spawn(command, args, { stdio: options.capture ? ['ignore', 'pipe', 'inherit'] : 'inherit', ...options, env: { ...env, ...options.env } });
    let output = '';
    child.stdout?.on('data', (chunk) => (output += chunk));
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      if (code === 0) resolvePromise(output);
      else reject(new Error(`${command} ${args.join(' ')} exited with ${signal ?? `code ${code}`}${options.capture ? `\n${output}` : ''}`));
    });
  });
}

const work = await mkdtemp(join(tmpdir(), 'signoff-host-app-'));
const app = join(work, 'host-app');
let harnessStarted = false;
let failed = false;
try {
  const tarball = await step('pack the library', async () => {
    const packed = JSON.parse(await run('npm', ['pack', '--json', '--pack-destination', work], { cwd: library, capture: true }));
    return join(work, packed[0].filename);
  });

  await step('copy examples/host-app', async () => {
    await cp(example, app, { recursive: true, filter: (source) => !/[/\\](node_modules|dist)$/.test(source) });
    // The library comes from the tarball, never from the workspace.
    const manifestPath = join(app, 'package.json');
    const manifest = JSON.parse(await readFile(manifestPath, 'utf8'));
    manifest.dependencies['@signoff/auth-sessions'] = `file:${tarball}`;
    await writeFile(manifestPath, `${JSON.stringify(manifest, null, 2)}\n`);
  });

  await step('npm install (warm cache)', () => run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error'], { cwd: app }));
  // Exit status 1 on any missing, invalid or unmet (peer) dependency in the production tree.
  await step('npm ls (no missing peers)', () => run('npm', ['ls', '--all', '--omit=dev'], { cwd: app, capture: true }));
  await step('build (tsc)', () => run(process.execPath, [join(app, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.json'], { cwd: app }));

  const harness = await step('database and Redis prefix', async () => {
    const { default: globalSetup } = await import(join(root, 'test-support/global-setup.ts'));
    await globalSetup({}, { rootDir: root });
    harnessStarted = true;
    return {
      DATABASE_URL: process.env.SIGNOFF_TEST_DATABASE_URL,
      REDIS_URL: process.env.SIGNOFF_TEST_REDIS_URL,
      REDIS_PREFIX: `${process.env.SIGNOFF_TEST_REDIS_PREFIX}:host-app`,
      PUBLIC_ORIGIN: 'http://127.0.0.1',
    };
  });

  await step('smoke test (Express and Fastify)', () =>
    run(process.execPath, ['--test', '--test-concurrency=1', 'dist/test/**/*.test.js'], { cwd: app, env: harness }),
  );
  // The database the smoke test migrated: TypeORM's own CLI must find nothing to change (exit 1 if it does).
  await step('typeorm migration:generate --check', () =>
    run(
      process.execPath,
      [join(app, 'node_modules/typeorm/cli.js'), 'migration:generate', '--check', '-d', 'dist/src/data-source.js', 'src/migrations/unexpected'],
      {
        cwd: app,
        env: harness,
      },
    ),
  );
} catch (error) {
  failed = true;
  console.error(`[host-app] FAILED: ${error instanceof Error ? error.message : String(error)}`);
} finally {
  if (harnessStarted) {
    const { default: globalTeardown } = await import(join(root, 'test-support/global-teardown.ts'));
    await globalTeardown().catch((error) => console.error(`[host-app] teardown: ${error.message}`));
  }
  if (process.env.KEEP_HOST_APP) console.log(`[host-app] kept ${work}`);
  else await rm(work, { recursive: true, force: true });
  const total = timings.reduce((sum, [, seconds]) => sum + seconds, 0);
  console.log(`[host-app] ${failed ? 'failed' : 'passed'} in ${total.toFixed(1)} s`);
}
process.exit(failed ? 1 : 0);
