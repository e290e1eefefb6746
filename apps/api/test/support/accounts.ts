import { randomUUID } from 'node:crypto';
import { BrowserClient } from '../../../../test-support/http-client.js';

export const PASSWORD = 'correct horse battery staple';

/** A registered user with a unique email. */
export interface Account {
  id: string;
  email: string;
  password: string;
}

/** Registers a fresh user through the API. */
export async function registerAccount(baseUrl: string, prefix = 'user'): Promise<Account> {
  const email = `${prefix}-${randomUUID().slice(0, 8)}@example.com`;
  const response = await new BrowserClient(baseUrl).request('POST', '/api/auth/register', { json: { email, password: PASSWORD } });
  if (response.status !== 201) throw new Error(`register failed: ${response.status} ${JSON.stringify(response.body)}`);
  return { id: response.body.user.id, email, password: PASSWORD };
}

/** A new cookie jar signed in as the account; `session` is the login body's session. */
export async function signIn(
  baseUrl: string,
  account: Account,
  options: { userAgent?: string; rememberMe?: boolean } = {},
): Promise<{ browser: BrowserClient; sessionId: string }> {
  const browser = new BrowserClient(baseUrl, options.userAgent ? { userAgent: options.userAgent } : undefined);
  const response = await browser.request('POST', '/api/auth/login', {
    json: { email: account.email, password: account.password, ...(options.rememberMe ? { rememberMe: true } : {}) },
  });
  if (response.status !== 200) throw new Error(`login failed: ${response.status} ${JSON.stringify(response.body)}`);
  return { browser, sessionId: response.body.session.id };
}
