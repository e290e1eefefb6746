import { spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { setTimeout as delay } from 'node:timers/promises';
import pg from 'pg';
import { type Account, signIn } from './accounts.js';

const repoRoot = fileURLToPath(new URL('../../../../', import.meta.url));

/** The ADMIN_EMAIL / ADMIN_PASSWORD admin the app creates at start-up. */
export function adminAccount(): Account {
  return { id: '', email: `admin-${randomBytes(3).toString('hex')}@example.com`, password: 'admin password for the e2e tests' };
}

/** The start-up environment that creates `admin`. */
export function adminEnv(admin: Account): Record<string, string> {
  return { ADMIN_EMAIL: admin.email, ADMIN_PASSWORD: admin.password };
}

/** Signs in and, for a stale session, waits until it is no longer fresh (`freshAgeSeconds`). */
export async function signInStale(baseUrl: string, account: Account, freshAgeSeconds: number, options: { userAgent?: string } = {}) {
  const signedIn = await signIn(baseUrl, account, options);
  await delay(freshAgeSeconds * 1000 + 300);
  return signedIn;
}

/** A random UUID nobody has. */
export const unknownId = (): string => randomUUID();

/** Users and sessions written straight into the database (far faster than signing in through the API). */
export class Seeder {
  constructor(private readonly pool: pg.Pool) {}

  /** Inserts users `<prefix>-0001@example.com`… with no roles; returns their ids in email order. */
  async users(prefix: string, count: number): Promise<string[]> {
    const rows = await this.pool.query<{ id: string; email: string }>(
      `INSERT INTO users (id, email, password_hash, roles, created_at, updated_at)
       SELECT gen_random_uuid(), $1 || '-' || lpad(g::text, 4, '0') || '@example.com', 'x', '{}', now(), now()
         FROM generate_series(1, $2::int) g
       RETURNING id, email`,
      [prefix, count],
    );
    return rows.rows.sort((a, b) => a.email.localeCompare(b.email)).map((row) => row.id);
  }

  /** Inserts one session row; returns its id. Times are seconds relative to now (negative: in the past). */
  async session(
    userId: string,
    options: {
      ip?: string;
      userAgent?: string;
      createdAgoSeconds?: number;
      lastActiveAgoSeconds?: number;
      idleSeconds?: number;
      ended?: boolean;
    } = {},
  ): Promise<string> {
    const id = randomUUID();
    await this.pool.query(
      `INSERT INTO auth_sessions (id, user_id, kind, token_hash, user_agent, ip, created_at, last_active_at, idle_seconds,
                                  absolute_expires_at, fresh_at, ended_at, end_reason)
       VALUES ($1, $2, 'cookie', $3, $4, $5, now() - make_interval(secs => $6), now() - make_interval(secs => $7), $8,
               now() + interval '30 days', now() - make_interval(secs => $6),
               CASE WHEN $9 THEN now() ELSE NULL END, CASE WHEN $9 THEN 'logout' ELSE NULL END)`,
      [
        id,
        userId,
        randomBytes(32),
        options.userAgent ?? 'Seeder/1.0',
        options.ip ?? '192.0.2.1',
        options.createdAgoSeconds ?? 60,
        options.lastActiveAgoSeconds ?? 30,
        options.idleSeconds ?? 1800,
        options.ended === true,
      ],
    );
    return id;
  }
}

/** The outcome of `npm run audit:verify`. */
export interface VerifyRun {
  code: number | null;
  output: string;
  /** The JSON report the CLI prints last. */
  report: {
    ok: boolean;
    checked: number;
    unsealed: number;
    checkpoint: { position: string } | null;
    problem: { kind: string; seq: string; message: string } | null;
  };
}

/** Runs `npm run audit:verify` against `databaseUrl`, as an operator would. */
export function runAuditVerify(databaseUrl: string): Promise<VerifyRun> {
  // NODE_OPTIONS carries Jest's --experimental-vm-modules, which the CLI does not need.
  const { NODE_OPTIONS: _jestNodeOptions, ...inherited } = process.env;
  const child = spawn('npm', ['run', '--silent', 'audit:verify'], {
    cwd: repoRoot,
    env: { ...inherited, DATABASE_URL: databaseUrl, NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => {
      const last = output
        .trim()
        .split('\n')
        .filter((line) => line.startsWith('{'))
        .pop();
      resolve({ code, output, report: last ? JSON.parse(last) : null });
    });
  });
}

/** The value of the sample `name{labels}` (labels as printed, e.g. `{reason="logout"}`) in a Prometheus text exposition. */
export function metricValue(exposition: string, name: string, labels = ''): number | undefined {
  const line = exposition.split('\n').find((candidate) => candidate.startsWith(`${name}${labels} `));
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
}
