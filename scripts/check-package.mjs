#!/usr/bin/env node
// The published shape of @signoff/auth-sessions, checked on the packed tarball (npm run package:check,
// after `npm run build:lib`):
// - what the tarball holds: README.md, LICENSE, CHANGELOG.md, package.json with engines and ./package.json exported,
//   the ./testing entry, no unit specs, and every source map pointing at a source the tarball ships;
// - publint (package.json against the files: exports, types, module format), warnings as errors;
// - @arethetypeswrong/cli (the types resolve for every entry under node16 ESM and bundlers; the package
//   is ESM-only like Nest 12 itself, so CommonJS `require` and node10 resolution are out of scope);
// - knip on the library's sources, strict: no undeclared import, no unused dependency.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, normalize, posix, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const library = join(root, 'libs/auth-sessions');
const bin = (name) => join(root, 'node_modules/.bin', name);
const problems = [];

function run(command, args, options = {}) {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(command, args, { cwd: root, stdio: ['ignore', 'pipe', 'inherit'], ...options });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.once('error', reject);
    child.once('exit', (code) => resolvePromise({ code, output }));
  });
}

const work = await mkdtemp(join(tmpdir(), 'signoff-package-'));
try {
  const packed = await run('npm', ['pack', '--json', '--pack-destination', work], { cwd: library });
  if (packed.code !== 0) throw new Error(`npm pack failed:\n${packed.output}`);
  const [info] = JSON.parse(packed.output);
  const tarball = join(work, info.filename);
  const files = new Set(info.files.map((file) => file.path));
  console.log(
    `package: ${info.name}@${info.version}, ${files.size} files, ${(info.size / 1024).toFixed(0)} kB packed, ${(info.unpackedSize / 1024).toFixed(0)} kB unpacked`,
  );

  const manifest = JSON.parse(readFileSync(join(library, 'package.json'), 'utf8'));
  for (const required of [
    'README.md',
    'LICENSE',
    'CHANGELOG.md',
    'package.json',
    'dist/index.js',
    'dist/index.d.ts',
    'dist/testing/index.js',
    'dist/testing/index.d.ts',
  ]) {
    if (!files.has(required)) problems.push(`the tarball lacks ${required}`);
  }
  if (!manifest.engines?.node) problems.push('package.json has no engines.node');
  if (manifest.exports?.['./package.json'] !== './package.json') problems.push('package.json does not export ./package.json');
  if (!manifest.exports?.['./testing']) problems.push('package.json does not export ./testing');
  for (const file of files) {
    if (/\.spec\.(ts|js|d\.ts)(\.map)?$/.test(file)) problems.push(`the tarball ships a unit spec: ${file}`);
    if (!file.endsWith('.map')) continue;
    const map = JSON.parse(readFileSync(join(library, file), 'utf8'));
    for (const source of map.sources ?? []) {
      const target = normalize(posix.join(posix.dirname(file), map.sourceRoot ?? '', source)).replaceAll('\\', '/');
      if (!files.has(target)) problems.push(`${file} points at ${source}, which the tarball does not ship`);
    }
  }

  const publint = await run(bin('publint'), ['run', tarball, '--strict']);
  process.stdout.write(publint.output);
  if (publint.code !== 0) problems.push('publint reported problems (above)');

  const attw = await run(bin('attw'), [tarball, '--profile', 'esm-only', '--format', 'table-flipped', '--no-emoji', '--no-color']);
  process.stdout.write(attw.output);
  if (attw.code !== 0) problems.push('@arethetypeswrong/cli reported problems (above)');

  const knip = await run(bin('knip'), ['--workspace', 'libs/auth-sessions', '--strict', '--include', 'dependencies,unlisted,unresolved', '--no-progress']);
  process.stdout.write(knip.output);
  if (knip.code !== 0) problems.push('knip reported undeclared or unused dependencies (above)');
} finally {
  await rm(work, { recursive: true, force: true });
}

if (problems.length > 0) {
  console.log(`package check: ${problems.length} problems`);
  for (const problem of problems) console.log(`  ${problem}`);
  process.exit(1);
}
console.log('package check: tarball contents, publint, attw and knip all pass');
