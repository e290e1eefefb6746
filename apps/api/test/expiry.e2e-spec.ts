import { type ApiProcess, startApi } from '../../../test-support/api-process.js';
import { PASSWORD, registerAccount, signIn } from './support/accounts.js';
import { TestDatabase } from './support/database.js';
import { isolated, type Isolated } from './support/jobs.js';

const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

describe('session expiry (demo app with short lifetimes)', () => {
  describe('idle lifetime', () => {
    let api: ApiProcess;
    let scope: Isolated;
    let own: TestDatabase;

    // Its own database and Redis prefix: the sweep's schedule (every 300 ms) is one BullMQ job
    // scheduler per queue, and an app of another test file on the shared queue would reset it to
    // its own interval (a minute by default), so the sweep this test waits for would not come.
    beforeAll(async () => {
      scope = isolated('expiry');
      api = await startApi({
        databaseUrl: scope.databaseUrl,
        env: { SESSION_IDLE_SECONDS: '2', SESSION_ABSOLUTE_SECONDS: '600', SESSION_SWEEP_MS: '300', REDIS_PREFIX: scope.redisPrefix },
      });
      own = new TestDatabase(scope.databaseUrl);
    });

    afterAll(async () => {
      await api?.stop();
      await own?.close();
      await scope?.drop();
    });

    it('should reject an idle session with session_expired / expired_idle, and the job should mark it with a session_expired event', async () => {
      const account = await registerAccount(api.url);
      const { browser, sessionId } = await signIn(api.url, account);
      expect((await browser.request('GET', '/api/auth/me')).status).toBe(200);
      await sleep(2300);
      const response = await browser.request('GET', '/api/auth/me');
      expect(response.status).toBe(401);
      expect(response.body).toMatchObject({ code: 'session_expired', reason: 'expired_idle' });
      let row = await own.session(sessionId);
      for (let attempt = 0; attempt < 50 && !row?.['ended_at']; attempt++) {
        await sleep(200);
        row = await own.session(sessionId);
      }
      expect(row).toMatchObject({ end_reason: 'expired_idle' });
      // Marked rows still answer session_expired, not session_ended.
      expect((await browser.request('GET', '/api/auth/me')).body).toMatchObject({ code: 'session_expired', reason: 'expired_idle' });
      const events = (await own.auditEvents(account.id)).filter((event) => event['type'] === 'session_expired');
      expect(events).toEqual([expect.objectContaining({ session_id: sessionId, reason: 'expired_idle' })]);
    });

    it('should mark a session a credential change ended that its clean-up job never saw (a sign-in that raced it) once it is due, so retention can delete it', async () => {
      const account = await registerAccount(api.url);
      const caller = await signIn(api.url, account);
      const other = await signIn(api.url, account);
      const changed = await caller.browser.post('/api/auth/password', { json: { currentPassword: PASSWORD, newPassword: 'another long enough passphrase' } });
      expect(changed.status).toBe(200);
      // The change's clean-up job has marked the user's rows (the other session)...
      for (let attempt = 0; attempt < 50 && !(await own.session(other.sessionId))?.['ended_at']; attempt++) await sleep(200);
      expect(await own.session(other.sessionId)).toMatchObject({ end_reason: 'password_change' });
      // ...and then a sign-in that had read the old epoch commits, an hour after the change (the job's hour is over).
      const raced = await signIn(api.url, { ...account, password: 'another long enough passphrase' });
      await own.query(`UPDATE auth_sessions SET epoch = epoch - 1 WHERE id = $1`, [raced.sessionId]);
      await own.query(`UPDATE auth_user_session_state SET updated_at = updated_at - interval '1 hour' WHERE user_id = $1`, [account.id]);
      expect((await raced.browser.request('GET', '/api/auth/me')).body).toMatchObject({ code: 'session_ended', reason: 'password_change' });

      let row = await own.session(raced.sessionId);
      for (let attempt = 0; attempt < 50 && !row?.['ended_at']; attempt++) {
        await sleep(200);
        row = await own.session(raced.sessionId);
      }
      // Ended by the change from its own opening, which came after the change; no session_expired event.
      expect(row).toMatchObject({ end_reason: 'password_change', ended_at: row?.['created_at'] });
      const expired = (await own.auditEvents(account.id)).filter((event) => event['session_id'] === raced.sessionId && event['type'] === 'session_expired');
      expect(expired).toEqual([]);
    });
  });

  describe('absolute lifetime', () => {
    let api: ApiProcess;

    beforeAll(async () => {
      api = await startApi({ env: { SESSION_IDLE_SECONDS: '600', SESSION_ABSOLUTE_SECONDS: '3' } });
    });

    afterAll(async () => {
      await api?.stop();
    });

    it('should end a session at its absolute deadline however active it is, and every list should already show it ended', async () => {
      const account = await registerAccount(api.url);
      const first = await signIn(api.url, account);
      for (let elapsed = 0; elapsed < 2000; elapsed += 400) {
        await sleep(400);
        expect((await first.browser.request('GET', '/api/auth/me')).status).toBe(200);
      }
      const later = await signIn(api.url, account);
      await sleep(1300);
      const response = await first.browser.request('GET', '/api/auth/me');
      expect(response.status).toBe(401);
      expect(response.body).toMatchObject({ code: 'session_expired', reason: 'expired_absolute' });
      const active = await later.browser.request('GET', '/api/auth/sessions');
      expect(active.body.sessions.map((session: { id: string }) => session.id)).toEqual([later.sessionId]);
      const history = await later.browser.request('GET', '/api/auth/sessions?include=ended');
      expect(history.body.sessions.find((session: { id: string }) => session.id === first.sessionId)).toMatchObject({
        endReason: 'expired_absolute',
      });
    });
  });
});
