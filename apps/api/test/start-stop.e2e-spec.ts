import { type ChildProcess, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as delay } from 'node:timers/promises';
import { freePort } from '../../../test-support/free-port.js';
import { onWorkerExit } from '../../../test-support/worker-exit.js';
import { killAll, processTable, processTree, type ProcessRow, survivors } from './support/processes.js';

// `npm start` exactly as a person runs it, forced onto an embedded PostgreSQL and a spawned redis-server
// (DATABASE_URL and REDIS_URL unset, the local addresses it probes first pointed at closed ports), and
// stopped every way a dev server gets stopped. Nothing it started may survive.

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const STOP_LIMIT_MS = 10_000;
const READY_TIMEOUT_MS = 60_000;

interface NpmRun {
  /** The process this test spawned: npm itself, or a shell that runs npm. */
  child: ChildProcess;
  npmPid: number;
  url: string;
  output(): string;
  /** Every process of the run, from npm down to PostgreSQL's backends and redis-server. */
  started: ProcessRow[];
}

const timings: Array<{ how: string; stopped: string; ms: number; said?: string }> = [];
let dataDir: string;
let closedPort: number;
const leftovers = new Set<number>();
// Processes of the current test, killed after it whatever happened, so one failure cannot spill into the next.
let runs: NpmRun[] = [];

function environment(port: number, dir: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    // npm sets its own npm_* variables; Jest's NODE_OPTIONS is not for the app; the app must find no servers configured.
    if (name.startsWith('npm_') || ['NODE_OPTIONS', 'DATABASE_URL', 'REDIS_URL', 'REDIS_PREFIX', 'NODE_ENV', 'PORT'].includes(name)) continue;
    env[name] = value;
  }
  return {
    ...env,
    PORT: String(port),
    DATA_DIR: dir,
    LOCAL_DATABASE_URL: `postgres://postgres@127.0.0.1:${closedPort}/signoff`,
    LOCAL_REDIS_URL: `redis://127.0.0.1:${closedPort}`,
    LOG_FORMAT: 'json',
    NO_COLOR: '1',
  };
}

/** `npm start` in a process group of its own (as a terminal runs a job), or through a shell that starts npm. */
async function npmStart(options: { through?: 'shell'; dir?: string } = {}): Promise<NpmRun> {
  const port = await freePort();
  const env = environment(port, options.dir ?? dataDir);
  const child =
    options.through === 'shell'
      ? spawn('sh', ['-c', 'npm start & wait'], { cwd: repoRoot, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] })
      : spawn('npm', ['start'], { cwd: repoRoot, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  const cancel = onWorkerExit(() => {
    for (const row of processTree(child.pid!)) {
      try {
        process.kill(row.pid, 'SIGKILL');
      } catch {
        // gone
      }
    }
  });
  child.once('exit', cancel);
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (!(await isHealthy(url))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      killAll(processTree(child.pid!).map((row) => row.pid));
      throw new Error(`npm start did not become healthy (exit ${child.exitCode}):\n${output.slice(-4000)}`);
    }
    await delay(200);
  }
  const started = processTree(child.pid!);
  for (const row of started) leftovers.add(row.pid);
  runs.push({ child, npmPid: child.pid!, url, output: () => output, started });
  const npm = started.find((row) => row.pid !== child.pid && /\bnpm\b/.test(row.command)) ?? started[0];
  return { child, npmPid: options.through === 'shell' ? npm.pid : child.pid!, url, output: () => output, started };
}

async function isHealthy(url: string): Promise<boolean> {
  try {
    const response = await fetch(`${url}/api/health`, { signal: AbortSignal.timeout(2000) });
    await response.arrayBuffer();
    return response.status === 200;
  } catch {
    return false;
  }
}

/** Waits until none of `pids` is alive; returns how long that took. */
async function waitUntilGone(pids: number[], limitMs = STOP_LIMIT_MS + 5000): Promise<{ ms: number; alive: ProcessRow[] }> {
  const startedAt = Date.now();
  for (;;) {
    const alive = survivors(pids);
    if (alive.length === 0 || Date.now() - startedAt > limitMs) return { ms: Date.now() - startedAt, alive };
    await delay(25);
  }
}

/** The postmaster serving `dir` (its backends are its children) and the redis-server(s) among `rows`. */
function servers(rows: ProcessRow[], dir: string): { postgres: ProcessRow[]; redis: ProcessRow[] } {
  return {
    postgres: rows.filter((row) => /\/postgres -D /.test(row.command) && row.command.includes(dir)),
    redis: rows.filter((row) => /redis-server/.test(row.command)),
  };
}

function stoppedLine(output: string): string | undefined {
  return output.split('\n').find((line) => line.includes('"msg":"Stopped ('));
}

beforeAll(async () => {
  // Readable by the postgres account, which runs the embedded server when the tests run as root.
  dataDir = await mkdtemp(join(tmpdir(), 'signoff-start-stop-'));
  await chmod(dataDir, 0o755);
  closedPort = await freePort();
});

afterEach(async () => {
  const pids = runs.flatMap((run) => run.started.map((row) => row.pid));
  runs = [];
  const alive = survivors(pids);
  if (alive.length > 0) {
    killAll(alive.map((row) => row.pid));
    await waitUntilGone(alive.map((row) => row.pid));
  }
});

afterAll(async () => {
  killAll([...leftovers]);
  await rm(dataDir, { recursive: true, force: true });
  if (timings.length > 0) {
    process.stderr.write(
      `\n[start-stop] ${timings.map((t) => `${t.how}: ${t.stopped} gone in ${(t.ms / 1000).toFixed(1)} s${t.said ? `; the app said: ${t.said}` : ''}`).join('\n[start-stop] ')}\n`,
    );
  }
});

describe('npm start stops like a well-behaved dev server (embedded PostgreSQL, spawned redis-server)', () => {
  const ways: Array<{ how: string; through?: 'shell'; stop(run: NpmRun): void }> = [
    { how: 'Ctrl-C in a terminal (SIGINT to the foreground process group)', stop: (run) => process.kill(-run.child.pid!, 'SIGINT') },
    { how: 'SIGINT to the npm process', stop: (run) => process.kill(run.npmPid, 'SIGINT') },
    { how: 'SIGTERM to the npm process', stop: (run) => process.kill(run.npmPid, 'SIGTERM') },
    { how: 'SIGHUP to the process group (the terminal closed)', stop: (run) => process.kill(-run.child.pid!, 'SIGHUP') },
    { how: 'npm killed (SIGKILL)', stop: (run) => process.kill(run.npmPid, 'SIGKILL') },
    { how: 'the process that ran npm killed (SIGKILL)', through: 'shell', stop: (run) => process.kill(run.child.pid!, 'SIGKILL') },
  ];

  it.each(ways)(
    '$how: stops node, PostgreSQL and redis-server within 10 s, with one line saying so',
    async ({ how, through, stop }) => {
      const run = await npmStart(through ? { through } : {});
      const own = servers(run.started, dataDir);
      expect(own.postgres).toHaveLength(1);
      expect(own.redis).toHaveLength(1);
      expect(run.started.some((row) => row.command.includes('dist/apps/api/src/main.js'))).toBe(true);

      stop(run);
      const { ms, alive } = await waitUntilGone(run.started.map((row) => row.pid));
      expect(alive).toEqual([]);
      expect(ms).toBeLessThan(STOP_LIMIT_MS);
      // npm may die before the app has finished; the pipe still carries the app's last line.
      await delay(200);
      const line = stoppedLine(run.output());
      expect(line).toBeDefined();
      const said = /"msg":"(Stopped [^"]*)"/.exec(line!)?.[1];
      timings.push({ how, stopped: `${run.started.length} processes (npm, node, PostgreSQL and its backends, redis-server)`, ms, said });
      expect(line).toMatch(/HTTP server, redis-server \(pid \d+\), embedded PostgreSQL \(pid \d+\)/);
      expect(
        run
          .output()
          .split('\n')
          .filter((l) => l.includes('"msg":"Stopped (')),
      ).toHaveLength(1);
    },
    90_000,
  );

  it('after a crash (node SIGKILLed), reuses the servers it left, says so, starts no second one, and stops them', async () => {
    const first = await npmStart();
    const node = first.started.find((row) => row.command.includes('dist/apps/api/src/main.js'))!;
    const left = servers(first.started, dataDir);
    process.kill(node.pid, 'SIGKILL');
    // npm and its shell end with node; the servers, in process groups of their own, stay.
    await waitUntilGone(
      first.started.filter((row) => row.pid !== left.postgres[0].pid && row.pid !== left.redis[0].pid && !/postgres/.test(row.command)).map((row) => row.pid),
    );
    expect(survivors([left.postgres[0].pid, left.redis[0].pid])).toHaveLength(2);

    const second = await npmStart();
    expect(second.output()).toContain(`Reusing the embedded PostgreSQL left by an earlier run (pid ${left.postgres[0].pid}`);
    expect(second.output()).toContain(`Reusing the redis-server left by an earlier run (pid ${left.redis[0].pid}`);
    // No second server: the new run started none, and one postmaster serves the folder.
    expect(servers(second.started, dataDir)).toEqual({ postgres: [], redis: [] });
    const table = processTable();
    expect(servers(table, dataDir).postgres).toHaveLength(1);

    const everything = [...second.started.map((row) => row.pid), ...processTree(left.postgres[0].pid, table).map((row) => row.pid), left.redis[0].pid];
    process.kill(second.child.pid!, 'SIGTERM');
    const { ms, alive } = await waitUntilGone(everything);
    expect(alive).toEqual([]);
    expect(ms).toBeLessThan(STOP_LIMIT_MS);
    timings.push({ how: "SIGTERM after adopting a crashed run's servers", stopped: `${everything.length} processes`, ms });
  }, 120_000);

  it('starts from a data folder whose parent is private (mode 700), as root too, and leaves nothing running', async () => {
    const privateParent = await mkdtemp(join(tmpdir(), 'signoff-private-'));
    try {
      const run = await npmStart({ dir: join(privateParent, 'data') });
      if (process.getuid?.() === 0) expect(run.output()).toContain('the postgres account cannot enter');
      process.kill(run.child.pid!, 'SIGTERM');
      const { alive } = await waitUntilGone(run.started.map((row) => row.pid));
      expect(alive).toEqual([]);
    } finally {
      await rm(privateParent, { recursive: true, force: true });
      // Where the app put the cluster as root (apps/api/src/infrastructure/embedded-postgres.ts, reachableFolderFor).
      const hash = createHash('sha256').update(join(privateParent, 'data')).digest('hex').slice(0, 12);
      await rm(`/var/tmp/signoff-${hash}`, { recursive: true, force: true });
    }
  }, 120_000);
});
