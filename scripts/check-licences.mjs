#!/usr/bin/env node
// Licence gate. What @signoff/auth-sessions pulls into an importing application must be on a permissive
// allow-list; everything the demo app ships must at least be free of copyleft (GPL family, SSPL). The app
// ships its runtime dependencies and, bundled into the console, packages it lists as development
// dependencies (Angular, fonts): so the whole installed tree, build tools included, is checked.
// ua-parser-js 2.x, for one, is AGPL-3.0-or-later while 1.x is MIT, so a careless upgrade must fail CI.
//
//   node scripts/check-licences.mjs              check the installed tree
//   node scripts/check-licences.mjs --self-test  pretend ua-parser-js is AGPL-3.0-or-later; the run must fail
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ALLOWED = new Set(
  ['MIT', 'ISC', 'BSD-2-Clause', 'BSD-3-Clause', 'Apache-2.0', '0BSD', 'BlueOak-1.0.0', 'CC0-1.0', 'Unlicense', 'Python-2.0', 'CC-BY-4.0', 'MIT-0'].map((id) =>
    id.toLowerCase(),
  ),
);
const DENIED = /GPL|SSPL/i; // GPL also matches AGPL and LGPL.
// Exact versions whose package.json has no licence field, read by hand. A new version is checked afresh.
const REVIEWED = new Map([
  ['pause@0.0.1', 'MIT'], // passport's dependency; the MIT text is in its Readme.md
]);

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const libraryDir = join(root, 'libs/auth-sessions');
const pretend = process.argv.includes('--self-test') ? new Map([['ua-parser-js', 'AGPL-3.0-or-later']]) : new Map();

const problems = [];
const library = walk(libraryDir, ['dependencies', 'peerDependencies']);
const app = walk(root, ['dependencies', 'devDependencies']);

for (const pkg of library.values()) {
  if (!satisfies(pkg.licence, (id) => ALLOWED.has(id.toLowerCase()))) {
    problems.push(`${pkg.name}@${pkg.version}: ${pkg.licence ?? 'no licence field'} (library dependency: not on the allow-list)${via(pkg)}`);
  }
}
for (const pkg of app.values()) {
  if (
    !satisfies(
      pkg.licence,
      (id) => !DENIED.test(id),
      () => !DENIED.test(pkg.licence ?? ''),
    )
  ) {
    problems.push(`${pkg.name}@${pkg.version}: ${pkg.licence} (app dependency: copyleft, on the deny-list)${via(pkg)}`);
  }
}

console.log(`licences: ${library.size} library packages allowed, ${app.size} app packages checked, ${problems.length} problems`);
if (problems.length > 0) {
  for (const problem of problems) console.log(`  ${problem}`);
  process.exit(1);
}

/**
 * The installed production closure of the named dependency fields of the package in `startDir`, keyed by
 * real path. Transitive packages contribute `dependencies` and the `optionalDependencies` that are installed.
 */
function walk(startDir, fields) {
  const start = readManifest(startDir);
  const found = new Map();
  const queue = [];
  for (const field of fields) {
    for (const name of Object.keys(start[field] ?? {})) queue.push({ name, from: startDir, optional: false, via: [] });
  }
  while (queue.length > 0) {
    const { name, from, optional, via } = queue.shift();
    const dir = resolvePackage(name, from);
    if (dir === undefined) {
      if (!optional) problems.push(`${[...via, name].join(' > ')}: not installed, so its licence cannot be checked`);
      continue;
    }
    if (found.has(dir)) continue;
    const manifest = readManifest(dir);
    const pkg = { name: manifest.name ?? name, version: manifest.version ?? '?', licence: licenceOf(manifest), dir, via };
    found.set(dir, pkg);
    const next = [...via, `${pkg.name}@${pkg.version}`];
    for (const dep of Object.keys(manifest.dependencies ?? {})) queue.push({ name: dep, from: dir, optional: false, via: next });
    for (const dep of Object.keys(manifest.optionalDependencies ?? {})) queue.push({ name: dep, from: dir, optional: true, via: next });
  }
  return found;
}

/** Node's lookup: `<dir>/node_modules/<name>` from the package's real directory up to the filesystem root. */
function resolvePackage(name, fromDir) {
  for (let dir = fromDir; ; dir = dirname(dir)) {
    if (basename(dir) !== 'node_modules') {
      const candidate = join(dir, 'node_modules', name);
      if (existsSync(join(candidate, 'package.json'))) return realpathSync(candidate);
    }
    if (dirname(dir) === dir) return undefined;
  }
}

function readManifest(dir) {
  return JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
}

/** The licence as one SPDX-like expression; a legacy `licenses` array means a choice between its entries. */
function licenceOf(manifest) {
  if (pretend.has(manifest.name)) return pretend.get(manifest.name);
  const { license, licenses } = manifest;
  if (typeof license === 'string') return license.trim();
  if (license && typeof license.type === 'string') return license.type;
  if (Array.isArray(licenses) && licenses.length > 0) {
    const ids = licenses.map((entry) => (typeof entry === 'string' ? entry : entry?.type)).filter(Boolean);
    return ids.length === 1 ? ids[0] : `(${ids.join(' OR ')})`;
  }
  return REVIEWED.get(`${manifest.name}@${manifest.version}`);
}

/**
 * Whether an SPDX expression is acceptable when each licence id is judged by `accepts`: OR needs one
 * acceptable branch, AND needs all. Text that is no SPDX expression goes to `unparsed` (rejected by default).
 */
function satisfies(expression, accepts, unparsed = () => false) {
  if (!expression) return unparsed();
  const tokens = expression.match(/\(|\)|[^\s()]+/g) ?? [];
  let position = 0;
  const peek = () => tokens[position]?.toUpperCase();
  const parseOr = () => {
    let result = parseAnd();
    while (peek() === 'OR') {
      position++;
      result = parseAnd() || result;
    }
    return result;
  };
  const parseAnd = () => {
    let result = parseAtom();
    while (peek() === 'AND') {
      position++;
      result = parseAtom() && result;
    }
    return result;
  };
  const parseAtom = () => {
    const token = tokens[position++];
    if (token === undefined || token === ')') throw new SyntaxError('unexpected end');
    if (token === '(') {
      const inner = parseOr();
      if (tokens[position++] !== ')') throw new SyntaxError('missing )');
      return inner;
    }
    if (!/^[A-Za-z0-9.+-]+$/.test(token) || ['AND', 'OR', 'WITH'].includes(token.toUpperCase())) {
      throw new SyntaxError(`not a licence id: ${token}`);
    }
    // An exception only grants extra permissions, so the base licence decides.
    if (peek() === 'WITH') position += 2;
    return accepts(token.replace(/\+$/, ''));
  };
  try {
    const result = parseOr();
    if (position !== tokens.length) throw new SyntaxError('trailing tokens');
    return result;
  } catch {
    return unparsed();
  }
}

function via(pkg) {
  return pkg.via.length > 0 ? `; via ${pkg.via.join(' > ')}` : '';
}
