import type { Page } from 'playwright-core';
import type { Account } from './api.js';
import { VIEWPORTS, type BrowserTest, type ViewportName } from './browser.js';
import { LoginPage } from '../pages/login.page.js';

/**
 * A new browser (context) signed in through the login form, on its landing page: the devices page (its
 * rows shown), or the overview for an admin.
 */
export async function signInThroughUi(
  test: BrowserTest,
  account: Pick<Account, 'email' | 'password'>,
  options: { userAgent?: string; rememberMe?: boolean; viewport?: ViewportName; headers?: Record<string, string> } = {},
): Promise<Page> {
  const page = await test.newPage({
    ...(options.userAgent ? { userAgent: options.userAgent } : {}),
    ...(options.viewport ? { viewport: VIEWPORTS[options.viewport] } : {}),
    ...(options.headers ? { extraHTTPHeaders: options.headers } : {}),
  });
  const login = new LoginPage(page);
  await login.open();
  await login.signIn(account.email, account.password, { rememberMe: options.rememberMe });
  await page.waitForURL(/\/(devices|admin\/overview)$/);
  if (page.url().endsWith('/devices')) await page.getByTestId('session-row').first().waitFor();
  else await page.getByTestId('stat-active').waitFor();
  return page;
}

/** Signs out through the header: the button, or the menu item on narrow screens. */
export async function signOutThroughUi(page: Page): Promise<void> {
  const button = page.getByTestId('logout');
  if (await button.isVisible()) {
    await button.click();
    return;
  }
  await page.getByTestId('menu-button').click();
  await page.getByRole('menuitem', { name: 'Sign out' }).click();
}
