import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { setTimeout as delay } from 'node:timers/promises';
import { CORE_SCHEMA, load, mergeTag } from 'js-yaml';
import pg from 'pg';
import { freePort } from '../../../test-support/free-port.js';
import { BrowserClient } from '../../../test-support/http-client.js';
import { onWorkerExit } from '../../../test-support/worker-exit.js';

// Docker is not available where the tests run, so docker-compose.yml is proved the other way round:
// the built app runs with exactly the environment Compose would give each service (interpolated from a
// .env made like .env.example says, plus the image's ENV), pointed at the test PostgreSQL and Redis
// instead of the service hostnames.

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));

interface Service {
  image?: string;
  build?: unknown;
  command?: string[];
  environment?: Record<string, string | number | boolean | null>;
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: string[] };
  restart?: string;
  stop_grace_period?: string;
}
interface Compose {
  services: Record<string, Service>;
}

// Compose reads YAML 1.2 with merge keys (`<<: *app`).
const compose = load(readFileSync(`${repoRoot}docker-compose.yml`, 'utf8'), { schema: CORE_SCHEMA.withTags(mergeTag) }) as Compose;
const envExample = readFileSync(`${repoRoot}.env.example`, 'utf8');
const dockerfile = readFileSync(`${repoRoot}Dockerfile`, 'utf8');

/** Compose's variable interpolation: ${VAR}, ${VAR:-default}, ${VAR-default}, ${VAR:?error}, ${VAR?error}, $$. */
function interpolate(text: string, vars: Record<string, string>): string {
  return text.replace(/\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)/g, (whole, name, op, arg, bare) => {
    if (whole === '$$') return '$';
    if (bare) return vars[bare] ?? '';
    const value = vars[name as string];
    const missing = op?.startsWith(':') ? !value : value === undefined;
    if (op?.endsWith('?') && missing) throw new Error(`compose would refuse to start: ${arg}`);
    if (op?.endsWith('-') && missing) return arg;
    return value ?? '';
  });
}

function serviceEnvironment(service: Service, vars: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(service.environment ?? {}).map(([name, value]) => [name, interpolate(String(value ?? ''), vars)]));
}

/** The ENV instructions of the Dockerfile's last stage (the image that runs). */
function imageEnvironment(): Record<string, string> {
  const lastStage = dockerfile.slice(dockerfile.lastIndexOf('\nFROM '));
  const joined = lastStage.replace(/\\\n\s*/g, ' ');
  const env: Record<string, string> = {};
  for (const line of joined.split('\n').filter((l) => l.startsWith('ENV '))) {
    for (const pair of line.slice(4).trim().split(/\s+/)) {
      const [name, ...value] = pair.split('=');
      env[name] = value.join('=');
    }
  }
  return env;
}

/** What `docker compose` reads from .env, made the way .env.example tells a person to. */
function dotEnv(): Record<string, string> {
  const vars: Record<string, string> = {};
  for (const line of envExample.split('\n')) {
    const match = /^([A-Z_]+)=(.*)$/.exec(line.trim());
    if (match) vars[match[1]] = match[2]!;
  }
  return {
    ...vars,
    JWT_SECRET: randomBytes(48).toString('base64'),
    POSTGRES_PASSWORD: randomBytes(24).toString('hex'),
    ADMIN_EMAIL: `compose-admin-${randomBytes(3).toString('hex')}@example.com`,
    ADMIN_PASSWORD: 'a compose admin passphrase',
  };
}

interface Started {
  child: ChildProcess;
  output(): string;
  exited: Promise<number | null>;
}

function run(command: string[], env: Record<string, string>): Started {
  // The image's `node` is the Node this test runs on; PATH is the only variable the container adds.
  const [program, ...args] = command;
  const child = spawn(program === 'node' ? process.execPath : program, args, {
    cwd: repoRoot,
    env: { ...env, PATH: process.env['PATH'] ?? '/usr/bin:/bin' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output = (output + chunk.toString('utf8')).slice(-200_000)));
  child.stderr.on('data', (chunk: Buffer) => (output = (output + chunk.toString('utf8')).slice(-200_000)));
  const cancel = onWorkerExit(() => child.kill('SIGKILL'));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  void exited.then(cancel);
  return { child, output: () => output, exited };
}

describe('docker-compose.yml and the image, run the other way round', () => {
  const harnessDatabase = new URL(process.env['SIGNOFF_TEST_DATABASE_URL']!);
  const adminUrl = process.env['SIGNOFF_TEST_PG_ADMIN_URL']!;
  const harnessRedis = new URL(process.env['SIGNOFF_TEST_REDIS_URL']!);
  const suffix = randomBytes(3).toString('hex');
  // Named after the harness database, so the global teardown drops it even after a crash.
  const database = `${decodeURIComponent(harnessDatabase.pathname.slice(1))}_compose_${suffix}`;
  const role = `signoff_compose_${suffix}`;
  const vars = dotEnv();
  const started: Started[] = [];
  let admin: pg.Client;

  /** Compose's environment for a service, with only the service hostnames (and the published port) replaced. */
  function environmentOf(name: string, port?: number): Record<string, string> {
    const env = { ...imageEnvironment(), ...serviceEnvironment(compose.services[name], vars) };
    const databaseUrl = new URL(env['DATABASE_URL']);
    expect(databaseUrl.host).toBe('postgres:5432');
    // The postgres service creates its POSTGRES_USER; here that role is made per run (the cluster is shared).
    Object.assign(databaseUrl, { hostname: harnessDatabase.hostname, port: harnessDatabase.port, pathname: `/${database}`, username: role });
    const redisUrl = new URL(env['REDIS_URL']);
    expect(redisUrl.host).toBe('redis:6379');
    Object.assign(redisUrl, { hostname: harnessRedis.hostname, port: harnessRedis.port });
    return {
      ...env,
      DATABASE_URL: databaseUrl.toString(),
      REDIS_URL: redisUrl.toString(),
      ...(port ? { PORT: String(port) } : {}),
      // Test isolation on the shared Redis; Compose's Redis is the deployment's own.
      REDIS_PREFIX: `${process.env['SIGNOFF_TEST_REDIS_PREFIX']}-compose-${suffix}`,
    };
  }

  beforeAll(async () => {
    const postgresService = serviceEnvironment(compose.services['postgres'], vars);
    admin = new pg.Client({ connectionString: adminUrl });
    await admin.connect();
    // What the postgres image does with POSTGRES_USER / POSTGRES_PASSWORD / POSTGRES_DB on its first start.
    await admin.query(`CREATE ROLE ${pg.escapeIdentifier(role)} LOGIN SUPERUSER PASSWORD ${pg.escapeLiteral(postgresService['POSTGRES_PASSWORD'])}`);
    await admin.query(`CREATE DATABASE ${pg.escapeIdentifier(database)} OWNER ${pg.escapeIdentifier(role)}`);
  });

  afterAll(async () => {
    for (const service of started) service.child.kill('SIGKILL');
    await Promise.all(started.map((service) => service.exited));
    await admin?.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(database)} WITH (FORCE)`);
    await admin?.query(`DROP ROLE IF EXISTS ${pg.escapeIdentifier(role)}`);
    await admin?.end();
  });

  it('declares every service production-shaped: healthchecks, restart policies, a migration step first, documented secrets', () => {
    const { services } = compose;
    expect(Object.keys(services).sort()).toEqual(['api', 'migrate', 'postgres', 'redis', 'worker']);
    for (const name of ['postgres', 'redis', 'api', 'worker']) expect(services[name].restart).toBe('unless-stopped');
    expect(services['migrate'].restart).toBe('no');
    for (const name of ['postgres', 'redis', 'api']) expect(services[name].healthcheck?.test.length).toBeGreaterThan(0);
    for (const name of ['api', 'worker']) {
      expect(services[name].depends_on?.['migrate']).toEqual({ condition: 'service_completed_successfully' });
      expect(services[name].stop_grace_period).toBe('30s');
    }
    // Every variable Compose refuses to start without is explained in .env.example, and none has a value there.
    const required = [...readFileSync(`${repoRoot}docker-compose.yml`, 'utf8').matchAll(/\$\{([A-Z_]+):\?/g)].map((m) => m[1]);
    expect(new Set(required)).toEqual(new Set(['POSTGRES_PASSWORD', 'JWT_SECRET']));
    for (const name of required) expect(envExample).toMatch(new RegExp(`^${name}=$`, 'm'));
    expect(() => serviceEnvironment(services['api'], {})).toThrow(/JWT_SECRET|POSTGRES_PASSWORD/);
    // The image: built in stages, runtime dependencies only, not root.
    expect(dockerfile).toMatch(/npm ci --omit=dev/);
    expect(dockerfile.slice(dockerfile.lastIndexOf('\nFROM '))).toMatch(/^USER node$/m);
    expect(imageEnvironment()).toEqual({ NODE_ENV: 'production', PORT: '3000' });
  });

  it('migrates, then serves /api/health 200 and a working admin login with NODE_ENV=production, and the worker runs', async () => {
    const migrate = run(compose.services['migrate'].command!, environmentOf('migrate'));
    expect(await migrate.exited).toBe(0);

    const port = await freePort();
    const apiEnvironment = environmentOf('api', port);
    expect(apiEnvironment['NODE_ENV']).toBe('production');
    const api = run(compose.services['api'].command!, apiEnvironment);
    started.push(api);
    const url = `http://127.0.0.1:${port}`;
    const deadline = Date.now() + 60_000;
    for (;;) {
      const status = await fetch(`${url}/api/health`).then(
        (response) => response.status,
        () => 0,
      );
      if (status === 200) break;
      if (Date.now() > deadline || api.child.exitCode !== null) throw new Error(`the api service did not become healthy:\n${api.output().slice(-4000)}`);
      await delay(200);
    }
    // The service's own healthcheck command, on this port.
    const healthcheck = compose.services['api'].healthcheck!.test.slice(1).map((part) => part.replace('127.0.0.1:3000', `127.0.0.1:${port}`));
    expect(await run(healthcheck, apiEnvironment).exited).toBe(0);

    const browser = new BrowserClient(url);
    const login = await browser.post('/api/auth/login', { json: { email: vars['ADMIN_EMAIL'], password: vars['ADMIN_PASSWORD'] } });
    expect(login.status).toBe(200);
    expect(login.body.user.roles).toContain('admin');
    // Production defaults: Secure cookies with the __Host- prefix.
    expect(login.setCookies.some((line) => /^__Host-sid=.*; Secure/i.test(line))).toBe(true);
    expect((await browser.get('/api/auth/me')).status).toBe(200);

    const worker = run(compose.services['worker'].command!, environmentOf('worker'));
    started.push(worker);
    const workerDeadline = Date.now() + 60_000;
    while (!worker.output().includes('Signoff worker running')) {
      if (Date.now() > workerDeadline || worker.child.exitCode !== null) throw new Error(`the worker service did not start:\n${worker.output().slice(-4000)}`);
      await delay(200);
    }

    // `docker compose stop`: SIGTERM, and a clean exit well within stop_grace_period.
    for (const service of [api, worker]) {
      service.child.kill('SIGTERM');
      expect(await service.exited).toBe(0);
    }
    expect(api.output()).toMatch(/"msg":"Stopped \(SIGTERM\) in [\d.]+ s: HTTP server"/);
  }, 180_000);
});
