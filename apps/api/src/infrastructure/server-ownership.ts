import { readFileSync } from 'node:fs';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isAlive } from './embedded-postgres.js';

/**
 * `<dataDir>/owner.json` names the process that owns the embedded PostgreSQL and redis-server in that
 * folder (started them, or adopted them from a run that crashed) and stops them when it stops. Another
 * Signoff process (a worker, `npm run migration:run`) that finds them while the owner runs only uses them.
 */
const OWNER_FILE = 'owner.json';

/** The pid of another live process that owns the servers in `dataDir`, or null. */
export function runningOwner(dataDir: string): number | null {
  let pid: number;
  try {
    pid = Number((JSON.parse(readFileSync(join(dataDir, OWNER_FILE), 'utf8')) as { pid?: unknown }).pid);
  } catch {
    return null;
  }
  if (!Number.isInteger(pid) || pid <= 0 || pid === process.pid || !isAlive(pid)) return null;
  return looksLikeNode(pid) ? pid : null;
}

/** Records this process as the owner of the servers in `dataDir`. */
export async function claimServers(dataDir: string): Promise<void> {
  await writeFile(join(dataDir, OWNER_FILE), `${JSON.stringify({ pid: process.pid, since: new Date().toISOString(), argv: process.argv.slice(1) })}\n`);
}

/** Forgets the owner record when it is this process's (after its servers stopped). */
export async function releaseServers(dataDir: string): Promise<void> {
  try {
    const recorded = (JSON.parse(readFileSync(join(dataDir, OWNER_FILE), 'utf8')) as { pid?: unknown }).pid;
    if (recorded === process.pid) await rm(join(dataDir, OWNER_FILE), { force: true });
  } catch {
    // Nothing recorded.
  }
}

/** A pid recycled by an unrelated program must not pass for the owner (checked where /proc exists). */
function looksLikeNode(pid: number): boolean {
  try {
    return /node/i.test(readFileSync(`/proc/${pid}/cmdline`, 'utf8'));
  } catch (error) {
    return (error as NodeJS.ErrnoException).code !== 'ENOENT' || !existsProc();
  }
}

function existsProc(): boolean {
  try {
    readFileSync('/proc/self/stat');
    return true;
  } catch {
    return false;
  }
}
