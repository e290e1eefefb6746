import { randomBytes, randomUUID } from 'node:crypto';
import pg from 'pg';
import { type ApiProcess, startApi } from '../../../test-support/api-process.js';
import { BrowserClient } from '../../../test-support/http-client.js';
import { PASSWORD, signIn } from './support/accounts.js';
import { TestDatabase } from './support/database.js';
import { isolated } from './support/jobs.js';

/** One address in its two Unicode normal forms: `é` precomposed (NFC) and `e` + combining acute (NFD). */
function cafeAddresses(): { composed: string; decomposed: string } {
  const tag = randomBytes(4).toString('hex');
  return { composed: `caf\u00e9-${tag}@example.test`, decomposed: `cafe\u0301-${tag}@example.test` };
}

async function register(api: ApiProcess, email: string): Promise<{ status: number; id?: string }> {
  const response = await new BrowserClient(api.url).post('/api/auth/register', { json: { email, password: PASSWORD } });
  return { status: response.status, id: response.body?.user?.id };
}

describe.each(['express', 'fastify'] as const)('email addresses and credential values (demo app on %s)', (adapter) => {
  let api: ApiProcess;
  let db: TestDatabase;

  beforeAll(async () => {
    api = await startApi({ env: { HTTP_ADAPTER: adapter } });
    db = new TestDatabase();
  });

  afterAll(async () => {
    await api?.stop();
    await db?.close();
  });

  describe('one address in two Unicode normal forms', () => {
    it('should make one account: the second registration is a 409, and the stored address is NFC', async () => {
      const { composed, decomposed } = cafeAddresses();

      const first = await register(api, decomposed);
      const second = await register(api, composed);

      expect(first.status).toBe(201);
      expect(second.status).toBe(409);
      const rows = await db.query<{ email: string }>('SELECT email FROM users WHERE id = $1', [first.id]);
      expect(rows.map((row) => row.email)).toEqual([composed]);
    });

    it('should sign in to that account with either form', async () => {
      const { composed, decomposed } = cafeAddresses();
      const { id } = await register(api, composed);

      const { browser } = await signIn(api.url, { id: id!, email: decomposed, password: PASSWORD });

      expect((await browser.get('/api/auth/me')).body.user.id).toBe(id);
    });

    it("should refuse an email change to another user's address in the other form with 409, changing nothing", async () => {
      const taken = cafeAddresses();
      await register(api, taken.composed);
      const mover = `mover-${randomUUID().slice(0, 8)}@example.test`;
      const { id } = await register(api, mover);
      const { browser } = await signIn(api.url, { id: id!, email: mover, password: PASSWORD });

      const response = await browser.post('/api/auth/email', { json: { password: PASSWORD, newEmail: taken.decomposed } });

      expect(response.status).toBe(409);
      expect(response.body).toMatchObject({ code: 'email_taken' });
      expect((await db.query<{ email: string }>('SELECT email FROM users WHERE id = $1', [id]))[0].email).toBe(mover);
    });

    it('should store a changed email in NFC', async () => {
      const mover = `mover-${randomUUID().slice(0, 8)}@example.test`;
      const { id } = await register(api, mover);
      const { browser } = await signIn(api.url, { id: id!, email: mover, password: PASSWORD });
      const { composed, decomposed } = cafeAddresses();

      expect((await browser.post('/api/auth/email', { json: { password: PASSWORD, newEmail: decomposed } })).status).toBe(200);

      expect((await db.query<{ email: string }>('SELECT email FROM users WHERE id = $1', [id]))[0].email).toBe(composed);
    });
  });
});

describe('migration NormalizeUserEmails1767830400000 (rows stored before emails were normalised)', () => {
  const scope = isolated('emails');
  let client: pg.Client | undefined;

  afterAll(async () => {
    await client?.end();
    await scope.drop();
  });

  it('should normalise a lone decomposed address at start-up and leave a pair that would collide as it was', async () => {
    // The app creates the database and runs every migration; the rows are then written as older code
    // stored them, and the migration is made pending again, as on a database that predates it.
    await (await startApi({ databaseUrl: scope.databaseUrl, env: { REDIS_PREFIX: scope.redisPrefix } })).stop();
    client = new pg.Client({ connectionString: scope.databaseUrl });
    await client.connect();
    const lone = cafeAddresses();
    const pair = cafeAddresses();
    for (const email of [lone.decomposed, pair.decomposed, pair.composed]) {
      await client.query(`INSERT INTO users (id, email, password_hash, roles, created_at, updated_at) VALUES ($1, $2, NULL, '{}', now(), now())`, [
        randomUUID(),
        email,
      ]);
    }
    await client.query(`DELETE FROM migrations WHERE name = 'NormalizeUserEmails1767830400000'`);

    await (await startApi({ databaseUrl: scope.databaseUrl, env: { REDIS_PREFIX: scope.redisPrefix } })).stop();

    const emails = (await client.query<{ email: string }>('SELECT email FROM users')).rows.map((row) => row.email);
    expect(emails).toEqual(expect.arrayContaining([lone.composed, pair.composed, pair.decomposed]));
    expect(emails).not.toContain(lone.decomposed);
  });
});
