import type { Page } from 'playwright-core';
import type { Account } from './api.js';
import type { BrowserTest } from './browser.js';
import { LoginPage } from '../pages/login.page.js';

/** A new browser (context) signed in through the login form, on the devices page. */
export async function signInThroughUi(
  test: BrowserTest,
  account: Pick<Account, 'email' | 'password'>,
  options: { userAgent?: string; rememberMe?: boolean } = {},
): Promise<Page> {
  const page = await test.newPage(options.userAgent ? { userAgent: options.userAgent } : {});
  const login = new LoginPage(page);
  await login.open();
  await login.signIn(account.email, account.password, { rememberMe: options.rememberMe });
  await page.waitForURL('**/devices');
  await page.getByTestId('device-row').first().waitFor();
  return page;
}
