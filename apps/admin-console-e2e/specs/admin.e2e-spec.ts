import { readFile } from 'node:fs/promises';
import { ADMIN, USER_AGENTS, registerAccount, signInElsewhere } from '../helpers/api.js';
import { checkPage } from '../helpers/browser.js';
import { signInThroughUi } from '../helpers/flows.js';
import { browserSuite } from '../helpers/suite.js';
import { AdminUserPage, AdminUsersPage } from '../pages/admin-user.page.js';
import { LoginPage } from '../pages/login.page.js';

const suite = browserSuite();

describe('the admin console', () => {
  it("should revoke a user's device and send that user's browser to /login within seconds, with the reason", async () => {
    const account = await registerAccount(suite.api, 'victim');
    const victim = await signInThroughUi(suite.test, account, { userAgent: USER_AGENTS.firefoxWindows });
    const admin = await signInThroughUi(suite.test, ADMIN, { userAgent: USER_AGENTS.chromeLinux });

    await admin.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Users' }).click();
    const users = new AdminUsersPage(admin);
    await users.search(account.email);
    await admin.getByRole('link', { name: account.email }).waitFor();
    expect(await admin.getByTestId('users-table').locator('tbody tr').count()).toBe(1);
    await checkPage(admin, suite.test, 'admin-users');
    const user = await users.openUser(account.email);
    expect(await user.rows().count()).toBe(1);
    await checkPage(admin, suite.test, 'admin-user');

    await user.select(/^Select Firefox 140 on Windows/);
    await user.revokeSelected('Laptop reported stolen');
    const revokedAt = Date.now();
    await admin.getByText('1 session was revoked.').waitFor();
    await admin.getByText('No active sessions.').waitFor();
    await admin.getByTestId('end-reason').filter({ hasText: 'Revoked by an administrator' }).first().waitFor({ state: 'attached' });

    await victim.waitForURL(/\/login\?reason=revoked_by_admin/, { timeout: 5_000 });
    expect(Date.now() - revokedAt).toBeLessThan(5_000);
    expect(await new LoginPage(victim).notice().innerText()).toContain('An administrator signed you out');
  });

  it('should revoke all sessions of a user and render hostile device data as text', async () => {
    const account = await registerAccount(suite.api);
    const hostile = '<img src=x onerror=alert(1)>Evil/2.0';
    const clients = [await signInElsewhere(suite.api, account, hostile), await signInElsewhere(suite.api, account, USER_AGENTS.safariIphone)];
    const admin = await signInThroughUi(suite.test, ADMIN);
    await admin.goto(`/admin/users`);
    const users = new AdminUsersPage(admin);
    await users.search(account.email);
    const user = await users.openUser(account.email);
    await user.rows().nth(1).waitFor();
    expect(await admin.getByTestId('user-sessions').getByText(hostile, { exact: true }).count()).toBe(1);
    expect(await admin.locator('main img').count()).toBe(0);

    await user.revokeAll('Offboarding');
    await admin.getByText('2 sessions were revoked.').waitFor();
    await admin.getByText('No active sessions.').waitFor();
    for (const client of clients) expect((await client.get('/api/auth/me')).status).toBe(401);
  });

  it('should give focus back to the button that opened a confirm dialog, or to the sessions heading when its row is gone', async () => {
    const account = await registerAccount(suite.api, 'focus');
    await signInElsewhere(suite.api, account, USER_AGENTS.firefoxWindows);
    await signInElsewhere(suite.api, account, USER_AGENTS.safariIphone);
    const admin = await signInThroughUi(suite.test, ADMIN);
    await admin.goto(`/admin/users/${account.id}`);
    const user = new AdminUserPage(admin);
    await user.rows().nth(1).waitFor();
    const focused = () =>
      admin.evaluate(() => document.activeElement?.getAttribute('data-testid') ?? document.activeElement?.id ?? document.activeElement?.tagName);
    const dialog = admin.getByRole('dialog');

    const row = user.rows().filter({ hasText: 'Firefox' });
    await row.locator('summary').focus();
    await admin.keyboard.press('Tab');
    expect(await focused()).toBe('revoke');
    await admin.keyboard.press('Enter');
    await dialog.waitFor();
    await admin.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    expect(await row.getByTestId('revoke').evaluate((element: HTMLElement) => element === document.activeElement)).toBe(true);

    await admin.getByTestId('user-audit-link').focus();
    await admin.keyboard.press('Tab');
    expect(await focused()).toBe('revoke-all');
    await admin.keyboard.press('Enter');
    await dialog.waitFor();
    await admin.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    expect(await focused()).toBe('revoke-all');

    // Confirmed: the revoked row leaves the list, so focus goes to the list's heading rather than to the page.
    await row.locator('summary').focus();
    await admin.keyboard.press('Tab');
    await admin.keyboard.press('Enter');
    // The dialog moves focus to its first field once open: confirm only after that, or Enter lands in the note.
    await admin.waitForFunction(() => !!document.activeElement?.closest('mat-dialog-container'));
    await dialog.getByRole('button', { name: 'Revoke session' }).press('Enter');
    await admin.getByText('Firefox 140 on Windows 10 was revoked.').waitFor();
    await row.waitFor({ state: 'detached' });
    await admin.waitForFunction(() => document.activeElement?.id === 'active-heading', undefined, { timeout: 3_000 });
  });

  it('should filter the audit log by type and export it', async () => {
    const account = await registerAccount(suite.api);
    const client = await signInElsewhere(suite.api, account, USER_AGENTS.edgeMac);
    expect((await client.post('/api/auth/logout')).status).toBe(200);
    const admin = await signInThroughUi(suite.test, ADMIN);
    await admin.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Audit log' }).click();
    await admin.getByTestId('audit-row').first().waitFor();

    await admin.getByLabel('Event type').click();
    await admin.getByRole('option', { name: 'Logout', exact: true }).click();
    await admin.getByLabel("User's email").fill(account.email);
    const filtered = admin.waitForResponse((response) => response.url().includes('/api/admin/audit?') && response.url().includes('type=logout'));
    await admin.getByRole('button', { name: 'Apply filters' }).click();
    await filtered;
    const rows = admin.getByTestId('audit-row');
    await rows.first().waitFor();
    expect(await rows.count()).toBe(1);
    expect(await rows.first().innerText()).toContain('Logout');
    await checkPage(admin, suite.test, 'admin-audit');

    const [download] = await Promise.all([admin.waitForEvent('download'), admin.getByTestId('export-csv').click()]);
    const csv = await readFile(await download.path(), 'utf8');
    expect(csv).toContain(account.id);
    expect(csv).toContain('logout');
  });

  it('should show users without the admin role a "no access" page at the /admin address, with nothing of the admin pages', async () => {
    const account = await registerAccount(suite.api);
    const page = await signInThroughUi(suite.test, account);
    expect(await page.getByRole('link', { name: 'Users' }).count()).toBe(0);
    for (const path of ['/admin/users', '/admin/audit', '/admin/overview', `/admin/users/${account.id}`]) {
      await page.goto(path);
      await page.getByTestId('no-access').waitFor();
      expect(new URL(page.url()).pathname).toBe(path);
      expect(await page.getByRole('heading', { level: 1 }).innerText()).toBe('No access');
      expect(await page.locator('[data-testid=users-table], [data-testid=audit-table], [data-testid=stat-active]').count()).toBe(0);
    }
    await checkPage(page, suite.test, 'no-access');
    await page.getByRole('link', { name: 'Go to your devices' }).click();
    await page.waitForURL(/\/devices$/);
  });
});
