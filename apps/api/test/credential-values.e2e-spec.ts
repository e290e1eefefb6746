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

  describe('an address that reads as another (a zero-width space, a fullwidth letter)', () => {
    it('should refuse it at sign-up and as a new email with 400, creating and changing nothing', async () => {
      const tag = randomUUID().slice(0, 8);
      const lookAlikes = [`ad\u200bmin-${tag}@example.test`, `\uff41dmin-${tag}@example.test`];
      for (const email of lookAlikes) {
        const refused = await new BrowserClient(api.url).post('/api/auth/register', { json: { email, password: PASSWORD } });
        expect(refused.status).toBe(400);
        expect(JSON.stringify(refused.body.message)).toMatch(/email must not contain/);
      }
      expect(await db.query('SELECT id FROM users WHERE email LIKE $1', [`%${tag}%`])).toEqual([]);

      const mover = `mover-${tag}@example.test`;
      const { id } = await register(api, mover);
      const { browser } = await signIn(api.url, { id: id!, email: mover, password: PASSWORD });
      const change = await browser.post('/api/auth/email', { json: { password: PASSWORD, newEmail: lookAlikes[1] } });
      expect(change.status).toBe(400);
      expect((await db.query<{ email: string }>('SELECT email FROM users WHERE id = $1', [id]))[0].email).toBe(mover);
    });
  });

  describe('a "change" to the current value', () => {
    /** A user signed in on two devices, and the audit rows written so far. */
    async function twoDevices() {
      const email = `Same-${randomUUID().slice(0, 8)}@example.test`;
      const { id } = await register(api, email);
      const account = { id: id!, email, password: PASSWORD };
      const caller = await signIn(api.url, account);
      const other = await signIn(api.url, account);
      return { account, caller, other, auditBefore: (await db.auditEvents(account.id)).length };
    }

    async function expectNothingChanged(setUp: Awaited<ReturnType<typeof twoDevices>>, sidBefore: string) {
      expect(await db.auditEvents(setUp.account.id)).toHaveLength(setUp.auditBefore);
      expect((await setUp.other.browser.get('/api/auth/me')).status).toBe(200);
      expect(setUp.caller.browser.cookie('sid')).toBe(sidBefore);
      expect((await setUp.caller.browser.get('/api/auth/me')).status).toBe(200);
      const stored = await db.query<{ email: string }>('SELECT email FROM users WHERE id = $1', [setUp.account.id]);
      expect(stored[0].email).toBe(setUp.account.email);
    }

    it.each([
      ['as stored', (email: string) => email],
      ['in another case', (email: string) => email.toLowerCase()],
    ])('should refuse the current email %s with 400 email_unchanged, no audit event and no session ended', async (_how, spell) => {
      const setUp = await twoDevices();
      const sidBefore = setUp.caller.browser.cookie('sid')!;

      const response = await setUp.caller.browser.post('/api/auth/email', { json: { password: PASSWORD, newEmail: spell(setUp.account.email) } });

      expect(response.status).toBe(400);
      expect(response.body).toMatchObject({ statusCode: 400, code: 'email_unchanged', message: expect.stringMatching(/current email/) });
      await expectNothingChanged(setUp, sidBefore);
    });

    it('should refuse the current email in another Unicode normal form the same way', async () => {
      const { composed, decomposed } = cafeAddresses();
      const { id } = await register(api, composed);
      const account = { id: id!, email: composed, password: PASSWORD };
      const setUp = { account, caller: await signIn(api.url, account), other: await signIn(api.url, account), auditBefore: 0 };
      setUp.auditBefore = (await db.auditEvents(id!)).length;
      const sidBefore = setUp.caller.browser.cookie('sid')!;

      const response = await setUp.caller.browser.post('/api/auth/email', { json: { password: PASSWORD, newEmail: decomposed } });

      expect(response.status).toBe(400);
      expect(response.body).toMatchObject({ code: 'email_unchanged' });
      await expectNothingChanged(setUp, sidBefore);
    });

    it('should refuse the current password as the new one with 400 password_unchanged, no audit event and no session ended', async () => {
      const setUp = await twoDevices();
      const sidBefore = setUp.caller.browser.cookie('sid')!;

      const response = await setUp.caller.browser.post('/api/auth/password', { json: { currentPassword: PASSWORD, newPassword: PASSWORD } });

      expect(response.status).toBe(400);
      expect(response.body).toMatchObject({ statusCode: 400, code: 'password_unchanged', message: expect.stringMatching(/current password/) });
      await expectNothingChanged(setUp, sidBefore);
    });

    it('should still answer a wrong current password with 403 invalid_password', async () => {
      const setUp = await twoDevices();

      const response = await setUp.caller.browser.post('/api/auth/password', {
        json: { currentPassword: 'not the password at all', newPassword: 'not the password at all' },
      });

      expect(response.status).toBe(403);
      expect(response.body).toMatchObject({ code: 'invalid_password' });
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
