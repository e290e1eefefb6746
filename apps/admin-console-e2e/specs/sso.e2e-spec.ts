import { randomBytes, randomUUID } from 'node:crypto';
import type { BrowserContext, Page } from 'playwright-core';
import { freePort } from '../../../test-support/free-port.js';
import { startThrowawayIdp, type ThrowawayIdp } from '../../../test-support/throwaway-idp.js';
import { checkPage } from '../helpers/browser.js';
import { browserSuite } from '../helpers/suite.js';
import { DevicesPage } from '../pages/devices.page.js';
import { LoginPage } from '../pages/login.page.js';

const CLIENT_ID = 'signoff-browser';
const CLIENT_SECRET = randomBytes(24).toString('base64url');
// `localhost` for the provider and 127.0.0.1 for the app: a browser keeps their cookies apart (cookies ignore ports).
const idpPort = await freePort();
const issuer = `http://localhost:${idpPort}`;
const suite = browserSuite({ OIDC_ISSUER: issuer, OIDC_CLIENT_ID: CLIENT_ID, OIDC_CLIENT_SECRET: CLIENT_SECRET });
let idp: ThrowawayIdp;

beforeAll(async () => {
  idp = await startThrowawayIdp({ port: idpPort, host: 'localhost', clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, appOrigins: [suite.api.origin] });
});

afterAll(async () => {
  await idp?.stop();
});

/** A browser context whose provider pages load no web fonts (the provider's dev pages import them from a CDN these machines cannot reach). */
async function newContext(): Promise<BrowserContext> {
  const context = await suite.test.newContext();
  await context.route('https://fonts.googleapis.com/**', (route) => route.fulfill({ status: 200, contentType: 'text/css', body: '' }));
  return context;
}

/** Signs in from the login page through the provider's own login and consent pages. */
async function signInWithSso(page: Page, login: string): Promise<void> {
  await new LoginPage(page).open();
  await page.getByRole('link', { name: 'Sign in with SSO' }).click();
  await page.waitForURL(`${issuer}/interaction/**`);
  await page.getByPlaceholder('Enter any login').fill(login);
  await page.getByPlaceholder('and password').fill('any password at all');
  await page.getByRole('button', { name: 'Sign-in' }).click();
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.waitForURL('**/devices');
  await page.getByTestId('session-row').first().waitFor();
}

describe("single sign-on in the browser, through a real OpenID Provider's pages", () => {
  it('should sign in with SSO, mark the session, and sign out of the provider too (RP-initiated logout)', async () => {
    const page = await (await newContext()).newPage();
    const login = `browser-${randomUUID().slice(0, 8)}`;
    await signInWithSso(page, login);
    await expect(page.getByTestId('sso-badge').first().textContent()).resolves.toBe('SSO');
    await checkPage(page, suite.test, 'devices-after-sso');

    await new DevicesPage(page).signOut();
    await page.waitForURL(`${issuer}/session/end**`);
    await page.getByRole('button', { name: 'Yes, sign me out' }).click();
    await page.waitForURL(/\/login\?logged_out=1&state=/);
    await expect(new LoginPage(page).notice().textContent()).resolves.toContain('You have been signed out');
    await page.getByTestId('sso-signed-out').waitFor();
    await checkPage(page, suite.test, 'login-after-sso-logout');
    expect((await page.context().cookies(suite.api.url)).map((cookie) => cookie.name)).toEqual([]);

    // Signed out at the provider as well: the next SSO sign-in asks for the login again.
    await page.getByRole('link', { name: 'Sign in with SSO' }).click();
    await page.waitForURL(`${issuer}/interaction/**`);
    await page.getByPlaceholder('Enter any login').waitFor();
  });

  it("should take the page to the login page with the organisation's message when the provider ends the session (back-channel logout)", async () => {
    const context = await newContext();
    const page = await context.newPage();
    await signInWithSso(page, `browser-${randomUUID().slice(0, 8)}`);

    // The user signs out at the provider in another tab: the provider calls the app back-channel.
    const providerTab = await context.newPage();
    await providerTab.goto(`${issuer}/session/end`);
    await providerTab.getByRole('button', { name: 'Yes, sign me out' }).click();
    await providerTab.waitForURL(`${issuer}/session/end/success`);

    await page.waitForURL(/\/login\?reason=idp_logout/, { timeout: 5_000 });
    await expect(new LoginPage(page).notice().textContent()).resolves.toContain("You were signed out by your organisation's sign-in service");
    await checkPage(page, suite.test, 'login-after-idp-logout');
  });

  it('should say why a single sign-on failed when the user cancels at the provider', async () => {
    const page = await (await newContext()).newPage();
    await new LoginPage(page).open();
    await page.getByRole('link', { name: 'Sign in with SSO' }).click();
    await page.waitForURL(`${issuer}/interaction/**`);
    // What the provider's cancel link does: its interaction's abort endpoint, answering access_denied.
    await page.goto(`${page.url()}/abort`);
    await page.waitForURL(/\/login\?error=sso_failed&provider_error=access_denied/);
    await expect(page.getByTestId('sso-error').textContent()).resolves.toContain('cancelled');
  });
});
