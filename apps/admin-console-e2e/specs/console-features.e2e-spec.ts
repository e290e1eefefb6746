import { BrowserClient } from '../../../test-support/http-client.js';
import { ADMIN, PASSWORD, USER_AGENTS, registerAccount, signInElsewhere } from '../helpers/api.js';
import { checkPage, expectNoHorizontalScroll, type ViewportName } from '../helpers/browser.js';
import { signInThroughUi } from '../helpers/flows.js';
import { browserSuite } from '../helpers/suite.js';
import { AdminUsersPage } from '../pages/admin-user.page.js';
import { DevicesPage } from '../pages/devices.page.js';
import { LoginPage } from '../pages/login.page.js';

// The console's newer pages and its rough edges, at desktop and phone sizes. One proxy hop is trusted, so a
// browser (or a client) can sign in "from" a public address through X-Forwarded-For, the way a reverse proxy
// would send it.
const suite = browserSuite({ TRUST_PROXY: '1' });

const SIZES: ViewportName[] = ['desktop', 'phone'];

describe.each(SIZES)('at %s size', (size) => {
  it('should show where each device signed in from, group sign-ins by device and collapse ended ones', async () => {
    const account = await registerAccount(suite.api);
    for (let index = 0; index < 3; index++) {
      const phone = await signInElsewhere(suite.api, account, USER_AGENTS.safariIphone);
      expect((await phone.post('/api/auth/logout')).status).toBe(200);
    }
    const lan = new BrowserClient(suite.api.url, { userAgent: USER_AGENTS.firefoxWindows });
    expect(
      (await lan.post('/api/auth/login', { json: { email: account.email, password: PASSWORD }, headers: { 'X-Forwarded-For': '192.168.1.20' } })).status,
    ).toBe(200);
    const page = await signInThroughUi(suite.test, account, {
      userAgent: USER_AGENTS.chromeLinux,
      viewport: size,
      headers: { 'X-Forwarded-For': '193.0.0.1' },
    });
    const devices = new DevicesPage(page);
    await devices.row('Firefox').waitFor();

    expect(await devices.row('This device').getByTestId('place').innerText()).toBe('Amsterdam, North Holland, Netherlands');
    expect(await devices.row('Firefox').getByTestId('place').innerText()).toBe('Local network');
    expect(await devices.row('This device').getByTestId('signed-in').innerText()).toMatch(/^Signed in \w{3} \d{1,2}, \d{4}/);
    expect(await page.getByRole('link', { name: 'IP Geolocation by DB-IP' }).getAttribute('href')).toBe('https://db-ip.com');
    // The raw user agent is behind a disclosure, not under every row.
    const agent = devices.row('This device').getByTestId('user-agent');
    expect(await agent.isVisible()).toBe(false);
    await devices.row('This device').getByText('Details').click();
    expect(await agent.innerText()).toBe(USER_AGENTS.chromeLinux);

    const ended = page.getByTestId('ended-group');
    expect(await ended.count()).toBe(1);
    expect(await ended.locator('summary').innerText()).toMatch(/Mobile Safari on iOS\s+3 sign-ins ended/);
    expect(await ended.getByTestId('ended-session').first().isVisible()).toBe(false);
    await ended.locator('summary').click();
    expect(await ended.getByTestId('ended-session').count()).toBe(3);
    await checkPage(page, suite.test, `devices-places-${size}`);
  });

  it("should tell other devices the truth when one device signs out the others, and keep the sender's page as it was", async () => {
    const account = await registerAccount(suite.api);
    const sender = await signInThroughUi(suite.test, account, { userAgent: USER_AGENTS.chromeLinux, viewport: size });
    const other = await signInThroughUi(suite.test, account, { userAgent: USER_AGENTS.firefoxWindows, viewport: size });
    const devices = new DevicesPage(sender);
    await devices.open();
    await devices.row('Firefox').waitFor();
    await sender.getByTestId('revoke-others').click();
    await sender.getByRole('dialog').getByRole('button', { name: 'Sign out other devices' }).click();
    await sender.getByText('1 other device was signed out. This device is still signed in.').waitFor();
    await other.waitForURL(/\/login\?reason=logout_everywhere/, { timeout: 5_000 });
    const notice = await new LoginPage(other).notice().innerText();
    expect(notice).toContain('This device was signed out when one of your devices signed out all your other devices');
    expect(notice).not.toContain('all your devices');
    expect(new URL(sender.url()).pathname).toBe('/devices');
    expect(await sender.getByText(/all your devices/).count()).toBe(0);
  });
  it('should wrap a long unbroken email on the user page, the audit log and the overview, never scrolling sideways', async () => {
    // 60 characters with no break opportunity (no hyphen, no space).
    const email = `${size}${Date.now().toString(36)}`.padEnd(48, 'x') + '@example.com';
    const account = await registerAccount(suite.api, 'long', email);
    await signInElsewhere(suite.api, account, USER_AGENTS.firefoxWindows);
    const admin = await signInThroughUi(suite.test, ADMIN, { viewport: size });
    await admin.goto(`/admin/users/${account.id}`);
    await admin.getByRole('heading', { level: 1, name: email }).waitFor();
    await admin.getByTestId('session-row').first().waitFor();
    await expectNoHorizontalScroll(admin, `user page (${size})`);
    await admin.goto(`/admin/users?search=${encodeURIComponent(email)}`);
    await admin.getByRole('link', { name: email }).waitFor();
    await expectNoHorizontalScroll(admin, `users list (${size})`);
    await admin.goBack();
    await admin.getByTestId('revoke-all').waitFor();
    await admin.getByTestId('revoke-all').click();
    await admin.getByRole('dialog').getByRole('button', { name: 'Revoke all' }).click();
    await admin.getByText('1 session was revoked.').waitFor();

    await admin.goto(`/admin/audit?email=${encodeURIComponent(email)}`);
    await admin.getByTestId('audit-row').first().waitFor();
    await expectNoHorizontalScroll(admin, `audit log (${size})`);
    await admin.goto('/admin/overview');
    await admin.getByTestId('revocation-row').filter({ hasText: email }).first().waitFor();
    await expectNoHorizontalScroll(admin, `overview (${size})`);

    // The header shows the signed-in email cut short on wide screens: the whole of it is in its title.
    const user = await signInThroughUi(suite.test, account, { viewport: size });
    await expectNoHorizontalScroll(user, `devices (${size})`);
    if (size === 'desktop') expect(await user.getByTestId('signed-in-as').getAttribute('title')).toBe(email);
  });
});

describe('admin pages', () => {
  it('should land an admin on the overview, drawn under the CSP, with the latest revocation and its note', async () => {
    const account = await registerAccount(suite.api, 'overview');
    const client = await signInElsewhere(suite.api, account, USER_AGENTS.safariIphone);
    const admin = await signInThroughUi(suite.test, ADMIN);
    expect(new URL(admin.url()).pathname).toBe('/admin/overview');
    await admin.goto(`/admin/users/${account.id}`);
    await admin.getByRole('heading', { level: 1, name: account.email }).waitFor();
    await admin.getByTestId('revoke-all').click();
    await admin.getByRole('dialog').getByLabel('Note for the audit log (optional)').fill('Overview check');
    await admin.getByRole('dialog').getByRole('button', { name: 'Revoke all' }).click();
    await admin.getByText('1 session was revoked.').waitFor();
    expect((await client.get('/api/auth/me')).status).toBe(401);

    await admin.getByRole('link', { name: 'Overview' }).click();
    // Other files' admins revoke on the same database meanwhile: this revocation's row, not the newest.
    const row = admin.getByTestId('revocation-row').filter({ hasText: account.email });
    await row.waitFor();
    expect(await row.innerText()).toContain(account.email);
    expect(await row.innerText()).toContain('Overview check');
    for (const chart of ['chart-active', 'chart-sign-ins', 'chart-devices', 'chart-places']) {
      const drawn = await admin
        .getByTestId(chart)
        .locator('canvas')
        .evaluate((canvas: HTMLCanvasElement) => {
          const context = canvas.getContext('2d');
          if (!context || canvas.width === 0 || canvas.height === 0) return false;
          const pixels = context.getImageData(0, 0, canvas.width, canvas.height).data;
          for (let index = 3; index < pixels.length; index += 4) if (pixels[index] !== 0) return true;
          return false;
        });
      expect({ chart, drawn }).toEqual({ chart, drawn: true });
    }
    await checkPage(admin, suite.test, 'overview');
  });

  it("should show a user's email on a deep link and after a reload, and open their audit events filtered by email", async () => {
    const account = await registerAccount(suite.api, 'deep');
    await signInElsewhere(suite.api, account, USER_AGENTS.edgeMac);
    const admin = await signInThroughUi(suite.test, ADMIN);
    await admin.goto(`/admin/users/${account.id}`);
    await admin.getByRole('heading', { level: 1, name: account.email }).waitFor();
    await admin.reload();
    await admin.getByRole('heading', { level: 1, name: account.email }).waitFor();
    // The summary line may render a moment after the heading: wait for it rather than count at once.
    await admin.getByText('1 active session').first().waitFor();

    await admin.getByTestId('user-audit-link').click();
    await admin.waitForURL(/\/admin\/audit\?email=/);
    await admin.getByTestId('audit-row').first().waitFor();
    const users = await admin.getByTestId('audit-row').locator('td.mat-column-user').allInnerTexts();
    expect(new Set(users.map((text) => text.trim()))).toEqual(new Set([account.email]));
    expect(await admin.getByLabel("User's email").inputValue()).toBe(account.email);
  });

  it('should fold admin reads by default, show them with the toggle, and keep filters and the toggle across a reload', async () => {
    const admin = await signInThroughUi(suite.test, ADMIN);
    // Each of these writes an admin read (audit_read / admin_sessions_viewed).
    const account = await registerAccount(suite.api, 'reads');
    for (let index = 0; index < 3; index++) {
      await admin.goto(`/admin/users/${account.id}`);
      await admin.getByTestId('no-sessions').waitFor();
    }
    await admin.goto('/admin/audit');
    await admin.getByTestId('audit-folded').first().waitFor();
    const typesShown = async () => (await admin.getByTestId('audit-type-cell').allInnerTexts()).map((text) => text.trim());
    expect((await typesShown()).filter((type) => type.startsWith('Admin '))).toEqual([]);
    expect(await admin.getByTestId('audit-folded').first().innerText()).toMatch(/\d+ admin reads? \(sessions viewed, audit log read\)/);

    await admin.getByTestId('show-reads').getByRole('switch').click();
    await admin.waitForURL(/reads=shown/);
    await admin.getByTestId('audit-type-cell').filter({ hasText: 'Admin viewed sessions' }).first().waitFor();
    await admin.getByLabel('Event type').click();
    await admin.getByRole('option', { name: 'Admin viewed sessions' }).click();
    await admin.getByRole('button', { name: 'Apply filters' }).click();
    await admin.waitForURL(/type=admin_sessions_viewed/);
    await admin.reload();
    await admin.getByTestId('audit-row').first().waitFor();
    expect(new Set(await typesShown())).toEqual(new Set(['Admin viewed sessions']));
    expect(await admin.getByTestId('show-reads').getByRole('switch').getAttribute('aria-checked')).toBe('true');
    await checkPage(admin, suite.test, 'audit-reads-shown');
  });

  it('should keep the users search and page in the URL, across a reload and Back', async () => {
    const admin = await signInThroughUi(suite.test, ADMIN);
    for (let index = 0; index < 12; index++) await registerAccount(suite.api, 'paged-user');
    const users = new AdminUsersPage(admin);
    await users.open();
    await users.search('paged-user');
    await admin.waitForURL(/search=paged-user/);
    // Material's paginator puts a larger touch target over its page-size select: that is what a finger hits.
    await admin.locator('mat-paginator .mat-mdc-paginator-touch-target').click();
    await admin.getByRole('option', { name: '10', exact: true }).click();
    await admin.waitForURL(/pageSize=10/);
    await admin.getByRole('button', { name: 'Next page' }).click();
    await admin.waitForURL(/page=2/);
    await admin.reload();
    // Not just any row: while the page loads, the table's one row is its "Loading…" placeholder.
    await admin
      .getByTestId('users-table')
      .getByRole('link', { name: /paged-user/ })
      .first()
      .waitFor();
    expect(await admin.getByTestId('user-search').inputValue()).toBe('paged-user');
    expect(await admin.locator('.mat-mdc-paginator-range-label').innerText()).toMatch(/^11 – \d+ of \d+$/);
    await admin.goBack();
    await admin.waitForURL((url) => !url.searchParams.has('page'));
    await admin.waitForFunction(() => /^1 – 10 of \d+$/.test(document.querySelector('.mat-mdc-paginator-range-label')?.textContent?.trim() ?? ''));
  });
});

describe('rough edges', () => {
  it('should skip to the content on the same page with Enter or a click, keeping the filters', async () => {
    const admin = await signInThroughUi(suite.test, ADMIN);
    await admin.goto('/admin/audit?type=login');
    await admin.getByTestId('audit-row').first().waitFor();
    const url = admin.url();
    await admin.evaluate(() => ((window as unknown as { samePage: boolean }).samePage = true));
    const focusInMain = () => admin.evaluate(() => !!document.activeElement && !!document.querySelector('main')?.contains(document.activeElement));
    const samePage = () => admin.evaluate(() => (window as unknown as { samePage?: boolean }).samePage === true);

    await admin.keyboard.press('Tab');
    expect(await admin.evaluate(() => document.activeElement?.textContent?.trim())).toBe('Skip to content');
    await admin.keyboard.press('Enter');
    await admin.waitForTimeout(300);
    expect({ url: admin.url(), samePage: await samePage(), focusInMain: await focusInMain() }).toEqual({ url, samePage: true, focusInMain: true });

    const skip = admin.getByRole('link', { name: 'Skip to content' });
    await skip.focus();
    await skip.click();
    await admin.waitForTimeout(300);
    expect({ url: admin.url(), samePage: await samePage(), focusInMain: await focusInMain() }).toEqual({ url, samePage: true, focusInMain: true });
  });

  it('should sign in with an email that is not ASCII, sending it exactly as typed', async () => {
    for (const email of ['chloé.dupont@exemple.fr', '张伟@例子.中国', 'dmitri.ivanov@пример.рф']) {
      const account = await registerAccount(suite.api, 'unicode', email);
      const page = await signInThroughUi(suite.test, account);
      expect(await page.getByTestId('signed-in-as').innerText()).toBe(email);
    }
  });

  it('should ring keyboard focus clearly (2 px, 3:1 against the page) on links and buttons, and not after a mouse click', async () => {
    const account = await registerAccount(suite.api);
    const page = await signInThroughUi(suite.test, account);
    const ring = (testId: string) =>
      page.getByTestId(testId).evaluate((element) => {
        const style = getComputedStyle(element);
        const channels = (color: string) => (color.match(/[\d.]+/g) ?? []).slice(0, 3).map(Number);
        const luminance = (color: string) => {
          const [r, g, b] = channels(color).map((value) => {
            const c = value / 255;
            return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
          });
          return 0.2126 * r + 0.7152 * g + 0.0722 * b;
        };
        const [light, dark] = [luminance(style.outlineColor), luminance(getComputedStyle(document.body).backgroundColor)].sort((a, b) => b - a);
        return {
          style: style.outlineStyle,
          width: parseFloat(style.outlineWidth),
          offset: parseFloat(style.outlineOffset),
          contrast: (light + 0.05) / (dark + 0.05),
        };
      });
    const clear = { style: 'solid', width: 2, offset: expect.any(Number), contrast: expect.any(Number) };
    await page.locator('a.brand').evaluate((element) => element.setAttribute('data-testid', 'brand'));
    await page
      .getByRole('navigation', { name: 'Main' })
      .getByRole('link', { name: 'My devices' })
      .evaluate((element) => element.setAttribute('data-testid', 'nav-devices'));
    await page.locator('.skip-link').focus();
    for (const testId of ['brand', 'nav-devices', 'logout']) {
      await page.keyboard.press('Tab');
      const seen = await ring(testId);
      expect({ testId, ...seen }).toEqual({ testId, ...clear });
      expect({ testId, offset: seen.offset >= 1, contrast: seen.contrast >= 3 }).toEqual({ testId, offset: true, contrast: true });
    }
    await page.getByTestId('nav-devices').click();
    expect(await page.getByTestId('nav-devices').evaluate((element) => element === document.activeElement)).toBe(true);
    expect((await ring('nav-devices')).style).toBe('none');
  });

  it('should show a progress bar while the next page is on its way, and remove it when the page is there', async () => {
    const admin = await signInThroughUi(suite.test, ADMIN);
    // The audit page's code is a lazy chunk that has not loaded yet: hold it.
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    await admin.route('**/*.js', async (route) => {
      await held;
      await route.continue();
    });
    await admin.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Audit log' }).click();
    const bar = admin.getByTestId('navigation-progress');
    await bar.waitFor();
    expect(await bar.getAttribute('aria-label')).toBe('Loading the page');
    expect(new URL(admin.url()).pathname).toBe('/admin/overview');
    release();
    await admin.getByTestId('audit-table').waitFor();
    await bar.waitFor({ state: 'detached' });
    await admin.unroute('**/*.js');
  });

  it('should link to sign-up from the login page, create the account and sign in with it', async () => {
    const page = await suite.test.newPage();
    const login = new LoginPage(page);
    await login.open();
    await page.getByRole('link', { name: 'Create an account' }).click();
    await page.waitForURL(/\/signup$/);
    await checkPage(page, suite.test, 'signup');
    const email = `signup-${Date.now()}@example.com`;
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await page.getByLabel('Repeat password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.waitForURL(/\/devices$/);
    await page.getByTestId('session-row').first().waitFor();
    expect(await page.getByTestId('signed-in-as').innerText()).toBe(email);
  });

  it('should say only what is wrong after a wrong password, and keep the email', async () => {
    const account = await registerAccount(suite.api);
    const page = await suite.test.newPage();
    suite.test.expectConsoleError(/status of 401/);
    const login = new LoginPage(page);
    await login.open();
    await login.signIn(account.email, 'not the password');
    await page.getByTestId('login-error').waitFor();
    expect(await page.getByTestId('login-error').innerText()).toBe('The email or password is not correct.');
    expect(await page.getByText('Password is required.').count()).toBe(0);
    expect(await page.getByLabel('Email').inputValue()).toBe(account.email);
    expect(await page.getByLabel('Password').inputValue()).toBe('');
    await checkPage(page, suite.test, 'login-wrong-password');
  });

  it('should empty the password form after a change without marking every field in red', async () => {
    const account = await registerAccount(suite.api);
    const page = await signInThroughUi(suite.test, account, { viewport: 'phone' });
    const form = page.getByTestId('password-form');
    await form.getByLabel('Current password').fill(PASSWORD);
    await form.getByLabel('New password', { exact: true }).fill('a brand new passphrase');
    await form.getByLabel('Repeat new password').fill('a brand new passphrase');
    await form.getByRole('button', { name: /Change password/ }).click();
    await page.getByText(/Password changed\./).waitFor();
    expect(await form.locator('mat-error').count()).toBe(0);
    expect(await form.locator('.mat-form-field-invalid').count()).toBe(0);
    for (const label of ['Current password', 'Repeat new password']) expect(await form.getByLabel(label).inputValue()).toBe('');
  });

  it('should go Back from the login page after sign-out to the sign-in page, not to a blank page', async () => {
    const account = await registerAccount(suite.api);
    const page = await signInThroughUi(suite.test, account);
    await new DevicesPage(page).signOut();
    await page.waitForURL(/\/login\?logged_out=1$/);
    await page.goBack();
    await page.waitForURL((url) => url.href !== 'about:blank' && url.pathname === '/login');
    await page.getByRole('heading', { name: 'Sign in to Signoff' }).waitFor();
    expect(page.url()).not.toBe('about:blank');
    expect(await page.getByTestId('session-row').count()).toBe(0);
  });
});
