import { type ApiProcess, startApi } from '../../../test-support/api-process.js';
import { registerAccount, signIn } from './support/accounts.js';
import { TestDatabase } from './support/database.js';

const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

describe('lastActiveAt', () => {
  let api: ApiProcess;
  let db: TestDatabase;

  beforeAll(async () => {
    api = await startApi();
    db = new TestDatabase();
  });

  afterAll(async () => {
    await api?.stop();
    await db?.close();
  });

  it('should not move for an open event stream, and should move for an ordinary request', async () => {
    const account = await registerAccount(api.url);
    const { browser, sessionId } = await signIn(api.url, account);
    const fiveMinutesAgo = new Date(Date.now() - 5 * 60_000);
    await db.query('UPDATE auth_sessions SET last_active_at = $2 WHERE id = $1', [sessionId, fiveMinutesAgo]);
    // The instance may hold the row from the sign-in for up to 2 s.
    await sleep(2200);

    const controller = new AbortController();
    const stream = await fetch(`${api.url}/api/auth/events`, { headers: { cookie: `sid=${browser.cookie('sid')}` }, signal: controller.signal });
    expect(stream.status).toBe(200);
    expect(stream.headers.get('content-type')).toContain('text/event-stream');
    await sleep(300);
    controller.abort();
    const afterStream = (await db.session(sessionId))!['last_active_at'] as Date;
    expect(afterStream.getTime()).toBe(fiveMinutesAgo.getTime());

    expect((await browser.request('GET', '/api/auth/me')).status).toBe(200);
    const afterRequest = (await db.session(sessionId))!['last_active_at'] as Date;
    expect(afterRequest.getTime()).toBeGreaterThan(fiveMinutesAgo.getTime() + 60_000);
  });
});
