#!/usr/bin/env node
// The static checks of `npm test`, run after `npm run build` (the library's dist is what the apps' types
// and the API report read): ESLint on one CPU while the type check, Prettier, the API report, the
// licence gate and the lockfile check run one after the other on the other. Each command's output is
// printed once it ends; the run fails if any of them does. (`npm run typecheck` and `npm run lint`
// remain for working on the code: each builds the library first.)
import { spawn } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const bin = (name) => join(root, 'node_modules/.bin', name);
// The package's own scripts where they do not rebuild the library; ESLint and tsc as `lint` and `typecheck` run them.
const script = (name) => ['npm', ['run', '--silent', name]];

const lanes = [
  [['eslint', [bin('eslint'), ['.', '--max-warnings', '0']]]],
  [
    ['typecheck', [bin('tsc'), ['-p', 'tsconfig.json', '--noEmit']]],
    ['format:check', script('format:check')],
    ['api:check', script('api:check')],
    ['licences', script('licences')],
    ['lockfile', script('lockfile')],
  ],
];

function run(name, [command, args]) {
  const started = Date.now();
  return new Promise((done) => {
    const child = spawn(command, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    child.on('error', (error) => (output += `${error.message}\n`));
    child.on('close', (code) => {
      const seconds = ((Date.now() - started) / 1000).toFixed(1);
      process.stdout.write(`\n[static-checks] ${name}: ${code === 0 ? 'passed' : `FAILED (exit ${code})`} in ${seconds} s\n${output}`);
      done(code === 0);
    });
  });
}

const results = await Promise.all(
  lanes.map(async (lane) => {
    const passed = [];
    for (const [name, command] of lane) passed.push(await run(name, command));
    return passed;
  }),
);
process.exitCode = results.flat().every(Boolean) ? 0 : 1;
