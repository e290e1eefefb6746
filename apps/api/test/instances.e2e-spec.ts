import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { type ApiProcess, startApis } from '../../../test-support/api-process.js';
import { BrowserClient } from '../../../test-support/http-client.js';
import { registerAccount, signIn } from './support/accounts.js';
import { TestDatabase } from './support/database.js';

describe('two instances on one database, started at the same moment', () => {
  let a: ApiProcess;
  let b: ApiProcess;
  let db: TestDatabase;

  const adminUrl = process.env['SIGNOFF_TEST_PG_ADMIN_URL']!;
  const databaseName = `signoff_test_instances_${randomBytes(4).toString('hex')}`;
  const databaseUrl = Object.assign(new URL(adminUrl), { pathname: `/${databaseName}` }).toString();

  beforeAll(async () => {
    // A database that does not exist yet: both instances race to create it and to migrate it.
    [a, b] = await startApis(2, { databaseUrl });
    db = new TestDatabase(databaseUrl);
  });

  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    await db?.close();
    const admin = new pg.Client({ connectionString: adminUrl });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS ${databaseName} WITH (FORCE)`);
    await admin.end();
  });

  it('should have run every migration exactly once', async () => {
    const applied = await db.query<{ name: string }>('SELECT name FROM migrations ORDER BY id');
    const names = applied.map((row) => row.name);
    expect(names).toEqual(expect.arrayContaining(['CreateAuthSessions1767225600000', 'CreateUsers1767225700000']));
    expect(new Set(names).size).toBe(names.length);
    const timestamp = (name: string) => Number(/\d{13}$/.exec(name)![0]);
    expect(names.map(timestamp)).toEqual([...names.map(timestamp)].sort((x, y) => x - y));
  });

  it('should reject on B, at once, a session logged out through A after B accepted it', async () => {
    const account = await registerAccount(a.url);
    const { browser } = await signIn(a.url, account);
    const onB = new BrowserClient(b.url);
    onB.cookies.set('sid', browser.cookie('sid')!);
    expect((await onB.request('GET', '/api/auth/me')).status).toBe(200);
    expect((await browser.request('POST', '/api/auth/logout')).status).toBe(200);
    const rejected = await onB.request('GET', '/api/auth/me');
    expect(rejected.status).toBe(401);
    expect(rejected.body).toMatchObject({ code: 'session_ended', reason: 'logout' });
  });

  it('should reject on A every device logged out everywhere through B', async () => {
    const account = await registerAccount(a.url);
    const devices = await Promise.all([signIn(a.url, account), signIn(b.url, account)]);
    const onA = devices.map((device) => {
      const client = new BrowserClient(a.url);
      client.cookies.set('sid', device.browser.cookie('sid')!);
      return client;
    });
    for (const client of onA) expect((await client.request('GET', '/api/auth/me')).status).toBe(200);
    expect((await devices[1].browser.request('POST', '/api/auth/logout-all', { json: {} })).body).toEqual({ revoked: 2 });
    for (const client of onA) expect((await client.request('GET', '/api/auth/me')).status).toBe(401);
  });

  it('should accept no request sent after the logout response, on either instance, while requests are in flight', async () => {
    const account = await registerAccount(a.url);
    const { browser } = await signIn(a.url, account);
    const token = browser.cookie('sid')!;
    const probes = [a, b].map((instance) => {
      const client = new BrowserClient(instance.url);
      client.cookies.set('sid', token);
      return client;
    });
    const results: Array<{ sentAt: number; status: number }> = [];
    let isRunning = true;
    let acknowledgedAt = Number.POSITIVE_INFINITY;
    const streams = probes.flatMap((client) =>
      [0, 1, 2].map(async () => {
        while (isRunning) {
          const sentAt = performance.now();
          const response = await client.request('GET', '/api/auth/me');
          results.push({ sentAt, status: response.status });
          if (sentAt > acknowledgedAt + 300) return;
        }
      }),
    );
    await new Promise((done) => setTimeout(done, 300));
    const logout = await browser.request('POST', '/api/auth/logout');
    acknowledgedAt = performance.now();
    expect(logout.status).toBe(200);
    await new Promise((done) => setTimeout(done, 400));
    isRunning = false;
    await Promise.all(streams);

    const before = results.filter((result) => result.sentAt < acknowledgedAt);
    const after = results.filter((result) => result.sentAt >= acknowledgedAt);
    expect(before.some((result) => result.status === 200)).toBe(true);
    expect(after.length).toBeGreaterThan(5);
    expect(after.filter((result) => result.status !== 401)).toEqual([]);
  });
});
