import { relative, resolve } from 'node:path';
import { Logger } from '@nestjs/common';
import type { Infrastructure } from './process-lifecycle.js';

const logger = new Logger('Signoff');

type Summary = Pick<Infrastructure, 'config' | 'postgres' | 'redis'> & { pretty: boolean };

/**
 * What a person needs once the API is up: where to open the console and the API docs, which admin
 * account exists (never its password), where the data is, which PostgreSQL and Redis are in use, and
 * how to stop. A short banner on a terminal; one structured log line otherwise.
 */
export function announceApi({ config, postgres, redis, pretty }: Summary): void {
  const origin = config.publicOrigin;
  const local = `http://localhost:${config.port}`;
  const facts = {
    console: `${origin}/`,
    docs: `${origin}/api/docs`,
    admin: config.adminEmail,
    dataDir: usesDataDir(postgres, redis) ? resolve(config.dataDir) : null,
    postgres: postgres.description,
    redis: redis.description,
  };
  if (!pretty) {
    logger.log({ msg: `Signoff listening on ${origin} (port ${config.port})`, ...facts });
    return;
  }
  const admin = config.adminEmail
    ? `${config.adminEmail} (ADMIN_EMAIL; the password is ADMIN_PASSWORD)`
    : `none: set ADMIN_EMAIL and ADMIN_PASSWORD${config.allowRegistration ? ', or register on the sign-in page' : ''}`;
  const rows: Array<[string, string]> = [
    ['Console', facts.console + (origin !== local ? `  (listening on port ${config.port})` : '')],
    ['API docs', facts.docs],
    ['Admin', admin],
    ['Data', facts.dataDir ? shortPath(facts.dataDir) : 'none here: PostgreSQL and Redis keep it'],
    ['PostgreSQL', shortPaths(postgres.description)],
    ['Redis', shortPaths(redis.description)],
    ['Stop', stopHint(postgres, redis)],
  ];
  write(banner('Signoff is ready', rows));
}

/** The worker's one line: which PostgreSQL and Redis it works on. */
export function announceWorker({ postgres, redis }: Pick<Summary, 'postgres' | 'redis'>): void {
  logger.log(`Signoff worker running; PostgreSQL: ${shortPaths(postgres.description)}; Redis: ${shortPaths(redis.description)}`);
}

function usesDataDir(postgres: Infrastructure['postgres'], redis: Infrastructure['redis']): boolean {
  return postgres.kind === 'embedded' || redis.kind === 'spawned';
}

function stopHint(postgres: Infrastructure['postgres'], redis: Infrastructure['redis']): string {
  const owned = [postgres.ownedPid ? 'PostgreSQL' : null, redis.ownedPid ? 'redis-server' : null].filter(Boolean);
  return `Ctrl-C (or SIGTERM)${owned.length > 0 ? `: stops the app, then the ${owned.join(' and ')} it manages` : ''}`;
}

function banner(title: string, rows: Array<[string, string]>): string {
  const color = process.stdout.hasColors?.() === true && !process.env['NO_COLOR'];
  const bold = (text: string) => (color ? `\u001b[1m${text}\u001b[22m` : text);
  const dim = (text: string) => (color ? `\u001b[2m${text}\u001b[22m` : text);
  const width = Math.max(...rows.map(([label]) => label.length));
  const lines = rows.map(([label, value]) => `  ${dim(label.padEnd(width))}  ${value}`);
  return `\n  ${bold(title)}\n\n${lines.join('\n')}\n\n`;
}

function write(text: string): void {
  process.stdout.write(text);
}

function shortPath(path: string): string {
  const inside = relative(process.cwd(), path);
  return inside && !inside.startsWith('..') && !inside.startsWith('/') ? inside : path;
}

function shortPaths(text: string): string {
  return text.replace(/(\/[^\s,()]+)/g, (path) => shortPath(path));
}
