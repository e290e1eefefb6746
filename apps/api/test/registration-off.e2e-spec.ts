import { type ApiProcess, startApi } from '../../../test-support/api-process.js';
import { BrowserClient } from '../../../test-support/http-client.js';
import { PASSWORD } from './support/accounts.js';
import { TestDatabase } from './support/database.js';

describe('ALLOW_REGISTRATION=false', () => {
  let api: ApiProcess;
  let db: TestDatabase;

  beforeAll(async () => {
    api = await startApi({ env: { ALLOW_REGISTRATION: 'false' } });
    db = new TestDatabase();
  });

  afterAll(async () => {
    await api?.stop();
    await db?.close();
  });

  it('should answer POST /api/auth/register with 404 and create nobody', async () => {
    const email = `closed-${Date.now()}@example.com`;
    const response = await new BrowserClient(api.url).request('POST', '/api/auth/register', { json: { email, password: PASSWORD } });
    expect(response.status).toBe(404);
    expect(await db.query('SELECT 1 FROM users WHERE lower(email) = lower($1)', [email])).toEqual([]);
  });

  it('should say registration is closed on GET /api/auth/registration, so the console offers no sign-up link', async () => {
    const response = await new BrowserClient(api.url).get('/api/auth/registration');
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ open: false });
  });
});
