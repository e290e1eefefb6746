import { randomUUID } from 'node:crypto';
import { startApi, type ApiProcess } from '../../../test-support/api-process.js';
import { BrowserClient } from '../../../test-support/http-client.js';

export const PASSWORD = 'correct horse battery staple';
export const ADMIN = { email: 'admin@signoff.example', password: 'admin password for the browser suite' };

/** Browsers the suite pretends to be, so device rows differ. */
export const USER_AGENTS = {
  chromeLinux: 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36',
  firefoxWindows: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:140.0) Gecko/20100101 Firefox/140.0',
  safariIphone: 'Mozilla/5.0 (iPhone; CPU iPhone OS 18_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.5 Mobile/15E148 Safari/604.1',
  edgeMac: 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/155.0.0.0 Safari/537.36 Edg/155.0.0.0',
};

export interface Account {
  id: string;
  email: string;
  password: string;
}

/** The built API (serving the built console) with a known admin; see test-support/api-process.ts. */
export function startConsoleApi(env: Record<string, string> = {}): Promise<ApiProcess> {
  return startApi({ env: { ADMIN_EMAIL: ADMIN.email, ADMIN_PASSWORD: ADMIN.password, ...env } });
}

/** Seeds a user through the API (not the UI). */
export async function registerAccount(api: ApiProcess, prefix = 'user', exactEmail?: string): Promise<Account> {
  const email = exactEmail ?? `${prefix}-${randomUUID().slice(0, 8)}@example.com`;
  const response = await new BrowserClient(api.url).post('/api/auth/register', { json: { email, password: PASSWORD } });
  if (response.status !== 201) throw new Error(`register failed: ${response.status} ${JSON.stringify(response.body)}`);
  return { id: response.body.user.id, email, password: PASSWORD };
}

/** A session on "another device": a cookie jar signed in through the API with the given user agent. */
export async function signInElsewhere(api: ApiProcess, account: Account, userAgent: string): Promise<BrowserClient> {
  const client = new BrowserClient(api.url, { userAgent });
  const response = await client.post('/api/auth/login', { json: { email: account.email, password: account.password } });
  if (response.status !== 200) throw new Error(`login failed: ${response.status} ${JSON.stringify(response.body)}`);
  return client;
}
