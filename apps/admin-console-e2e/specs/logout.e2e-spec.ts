import { ADMIN, registerAccount } from '../helpers/api.js';
import { checkPage } from '../helpers/browser.js';
import { signInThroughUi } from '../helpers/flows.js';
import { meStatus, otherStorage, webStorage } from '../helpers/storage.js';
import { browserSuite } from '../helpers/suite.js';
import { DevicesPage } from '../pages/devices.page.js';
import { LoginPage } from '../pages/login.page.js';

const suite = browserSuite();
const SIGNED_OUT = 'You have been signed out';

describe('logout in the browser', () => {
  it('should clear the browser, land on /login, and show nothing protected on Back (TERM-12..14, COOK-07)', async () => {
    const page = await signInThroughUi(suite.test, ADMIN);
    await checkPage(page, suite.test, 'overview');
    await page.getByRole('link', { name: 'Users' }).click();
    await page.getByTestId('users-table').waitFor();
    await page.getByRole('link', { name: 'Audit log' }).click();
    await page.getByTestId('audit-table').waitFor();
    // A full page load too, so Back crosses documents (the back/forward cache case), not only router states.
    await page.goto('/devices');
    await page.getByTestId('session-row').first().waitFor();
    expect((await webStorage(page)).join('\n')).not.toMatch(/eyJ|sid=/);

    await new DevicesPage(page).signOut();
    await page.waitForURL(/\/login\?logged_out=1$/);
    await expectText(new LoginPage(page).notice(), SIGNED_OUT);
    await checkPage(page, suite.test, 'login-after-logout');
    expect(await webStorage(page)).toEqual([]);
    expect(await otherStorage(page)).toEqual({ indexedDb: [], caches: [] });
    expect((await page.context().cookies()).map((cookie) => cookie.name)).toEqual([]);
    expect(await meStatus(page)).toBe(401);

    for (let step = 0; step < 3; step++) {
      await page.goBack();
      await page.waitForURL(/\/login/);
      await page.getByRole('heading', { name: 'Sign in to Signoff' }).waitFor();
      expect(await protectedContent(page)).toEqual({ deviceRows: 0, users: 0, audit: 0, logoutButtons: 0 });
    }
  });

  it('should make the other tab follow a logout (BroadcastChannel and the SSE event)', async () => {
    const account = await registerAccount(suite.api);
    const first = await signInThroughUi(suite.test, account);
    const second = await first.context().newPage();
    const devices = new DevicesPage(second);
    await devices.open();

    await new DevicesPage(first).signOut();
    await first.waitForURL(/\/login/);
    await second.waitForURL(/\/login/, { timeout: 5_000 });
    await expectText(new LoginPage(second).notice(), SIGNED_OUT);
    expect(await protectedContent(second)).toEqual({ deviceRows: 0, users: 0, audit: 0, logoutButtons: 0 });
  });

  it('should sign out although another XSRF-TOKEN cookie is listed first (a cookie planted by a sibling subdomain)', async () => {
    // A sibling subdomain can set XSRF-TOKEN for the parent domain with a longer path: the browser lists it
    // before the API's own, Angular sends its value, and the API refuses it (403 csrf_token_invalid). A cookie
    // of this host with Path=/devices puts the same order in document.cookie.
    const account = await registerAccount(suite.api);
    const page = await signInThroughUi(suite.test, account);
    suite.test.expectConsoleError(/status of 403/);
    await page.context().addCookies([{ name: 'XSRF-TOKEN', value: 'planted-by-a-sibling', domain: new URL(page.url()).hostname, path: '/devices' }]);
    await page.goto('/devices');
    await page.getByTestId('session-row').first().waitFor();
    expect(await page.evaluate(() => document.cookie)).toMatch(/^XSRF-TOKEN=planted-by-a-sibling; XSRF-TOKEN=/);
    const sid = (await page.context().cookies()).find((cookie) => cookie.name.endsWith('sid'));
    expect(sid).toBeDefined();
    const refusals: number[] = [];
    page.on('response', (response) => {
      if (response.url().endsWith('/api/auth/logout')) refusals.push(response.status());
    });

    const confirmed = page.waitForResponse((response) => response.url().endsWith('/api/auth/logout') && response.status() === 200);
    await new DevicesPage(page).signOut();
    await confirmed;
    await page.waitForURL(/\/login\?logged_out=1$/);
    expect(refusals).toEqual([403, 200]);
    // The session itself ended, not only the browser's copy of its cookie.
    expect((await page.request.get('/api/auth/me', { headers: { cookie: `${sid?.name}=${sid?.value}` } })).status()).toBe(401);
  });

  it('should clear nothing and offer a retry when the server answers 503, then sign out on retry', async () => {
    const account = await registerAccount(suite.api);
    const page = await signInThroughUi(suite.test, account);
    suite.test.expectConsoleError(/status of 503/);
    let refused = 0;
    await page.route('**/api/auth/logout', (route) => {
      refused++;
      return route.fulfill({
        status: 503,
        contentType: 'application/json',
        body: JSON.stringify({ statusCode: 503, message: 'A required service is unavailable; nothing was changed.', code: 'service_unavailable' }),
      });
    });
    await new DevicesPage(page).signOut();
    const banner = page.getByTestId('logout-unconfirmed');
    await expectText(banner, 'Sign-out was not confirmed');
    expect(page.url()).toMatch(/\/devices$/);
    expect(await page.getByTestId('session-row').count()).toBe(1);
    expect(await meStatus(page)).toBe(200);
    await checkPage(page, suite.test, 'logout-not-confirmed');

    // The page retries by itself after 5 s, then 15 s, then 30 s, and a click restarts that schedule. A click
    // while the server still refuses sends one more logout, leaves the banner up and the next automatic retry
    // 15 s or more away, so the click after the unroute below is the one that signs out, not a timer.
    const before = refused;
    const refusedAgain = page.waitForResponse((response) => response.url().endsWith('/api/auth/logout') && refused > before, {
      timeout: 5_000,
    });
    await banner.getByRole('button', { name: 'Retry sign-out' }).click();
    expect((await refusedAgain).status()).toBe(503);
    await expectText(banner, 'Sign-out was not confirmed');
    expect(await meStatus(page)).toBe(200);

    await page.unroute('**/api/auth/logout');
    await banner.getByRole('button', { name: 'Retry sign-out' }).click();
    await page.waitForURL(/\/login\?logged_out=1$/);
    expect(await meStatus(page)).toBe(401);
  });

  it('should still clear the page when the server cannot be reached, and say sign-out was not confirmed', async () => {
    const account = await registerAccount(suite.api);
    const page = await signInThroughUi(suite.test, account);
    suite.test.expectConsoleError(/ERR_CONNECTION_REFUSED|ERR_FAILED/);
    await page.route('**/api/auth/logout', (route) => route.abort('connectionrefused'));
    await new DevicesPage(page).signOut();
    await page.waitForURL(/\/login\?.*signout=unconfirmed/);
    expect(await protectedContent(page)).toEqual({ deviceRows: 0, users: 0, audit: 0, logoutButtons: 0 });
    const alert = page.getByTestId('logout-unconfirmed');
    await expectText(alert, 'Sign-out was not confirmed');

    await page.unroute('**/api/auth/logout');
    await alert.getByRole('button', { name: 'Retry sign-out' }).click();
    await page.waitForURL(/\/login\?logged_out=1$/);
    await expectText(new LoginPage(page).notice(), SIGNED_OUT);
    expect(await meStatus(page)).toBe(401);
  });
});

async function expectText(locator: ReturnType<LoginPage['notice']>, text: string): Promise<void> {
  await locator.waitFor();
  expect(await locator.innerText()).toContain(text);
}

async function protectedContent(page: import('playwright-core').Page) {
  return {
    deviceRows: await page.getByTestId('session-row').count(),
    users: await page.getByTestId('users-table').count(),
    audit: await page.getByTestId('audit-table').count(),
    logoutButtons: await page.getByTestId('logout').count(),
  };
}
