#!/usr/bin/env node
// `npm start` runs the compiled app; build first when either output is missing (a fresh clone, a clean).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const outputs = ['dist/apps/api/src/main.js', 'libs/auth-sessions/dist/index.js'];
const missing = outputs.filter((output) => !existsSync(join(root, output)));

if (missing.length > 0) {
  console.log(`${missing.join(' and ')} missing: running npm run build`);
  // npm is a .cmd shim on Windows, which spawn only finds through a shell.
  const result = spawnSync('npm', ['run', 'build'], { cwd: root, stdio: 'inherit', shell: process.platform === 'win32' });
  if (result.error) throw result.error;
  process.exit(result.status ?? 1);
}
