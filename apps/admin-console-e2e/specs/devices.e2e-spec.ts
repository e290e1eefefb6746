import { PASSWORD, USER_AGENTS, registerAccount, signInElsewhere } from '../helpers/api.js';
import { checkPage } from '../helpers/browser.js';
import { signInThroughUi } from '../helpers/flows.js';
import { browserSuite } from '../helpers/suite.js';
import { DevicesPage } from '../pages/devices.page.js';
import { LoginPage } from '../pages/login.page.js';

const suite = browserSuite();

describe('the devices page', () => {
  it('should show both browsers of a user, mark this one, and sign the other out at once', async () => {
    const account = await registerAccount(suite.api);
    const chrome = await signInThroughUi(suite.test, account, { userAgent: USER_AGENTS.chromeLinux });
    const firefox = await signInThroughUi(suite.test, account, { userAgent: USER_AGENTS.firefoxWindows });
    const devices = new DevicesPage(chrome);
    await devices.open();

    expect(await devices.rows().count()).toBe(2);
    const here = devices.row('This device');
    expect(await here.count()).toBe(1);
    expect(await here.innerText()).toContain('Chrome 156 on Linux');
    const other = devices.row('Firefox');
    expect(await other.innerText()).toMatch(/Firefox 140 on Windows/);
    expect(await other.innerText()).toMatch(/Last active (just now|\d+ minutes? ago)/);
    expect(await other.locator('time').getAttribute('datetime')).toMatch(/^\d{4}-\d{2}-\d{2}T/);
    await other.locator('time').hover();
    expect(await chrome.locator('.mat-mdc-tooltip-surface').innerText()).toMatch(/\d{4}/);
    await checkPage(chrome, suite.test, 'devices-two-browsers');

    await devices.revoke(await deviceName(other));
    await other.waitFor({ state: 'detached' });
    expect(await devices.rows().count()).toBe(1);
    await firefox.waitForURL(/\/login\?reason=revoked_by_user/, { timeout: 5_000 });
    expect(await new LoginPage(firefox).notice().innerText()).toContain('This device was signed out from another of your devices');
    await chrome.getByTestId('end-reason').filter({ hasText: 'Revoked by the user' }).first().waitFor({ state: 'attached' });
  });

  it('should render a user agent that contains HTML as text (DEV-05)', async () => {
    const account = await registerAccount(suite.api);
    const hostile = `<img src=x onerror=alert(1)><script>alert(2)</script>Evil/1.0`;
    await signInElsewhere(suite.api, account, hostile);
    const page = await signInThroughUi(suite.test, account);
    const row = new DevicesPage(page).row('Evil/1.0');
    await row.waitFor();
    // The raw user agent sits in a closed Details disclosure: read its text, not what is rendered.
    expect(await row.getByTestId('user-agent').textContent()).toBe(hostile);
    expect(await row.locator('img, script').count()).toBe(0);
    expect(await page.evaluate(() => document.querySelectorAll('main img, main script').length)).toBe(0);
    await checkPage(page, suite.test, 'devices-hostile-user-agent');
  });

  it('should end the local session with the reason when any call answers 401', async () => {
    const account = await registerAccount(suite.api);
    const elsewhere = await signInElsewhere(suite.api, account, USER_AGENTS.safariIphone);
    const page = await suite.test.newPage({ userAgent: USER_AGENTS.chromeLinux });
    // No logout event this time: the 401 of the next call must be enough on its own.
    await page.route('**/api/auth/events', (route) => route.abort('failed'));
    suite.test.expectConsoleError(/ERR_FAILED|status of 401/);
    await new LoginPage(page).open();
    await new LoginPage(page).signIn(account.email, account.password);
    await new DevicesPage(page).row('iOS').waitFor();
    const me = await elsewhere.get('/api/auth/sessions');
    const mine = (me.body.sessions as Array<{ id: string; userAgent: string }>).find((s) => s.userAgent === USER_AGENTS.chromeLinux);
    expect((await elsewhere.delete(`/api/auth/sessions/${mine!.id}`)).status).toBe(204);

    await page.getByRole('button', { name: 'Sign out all other devices' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Sign out other devices' }).click();
    await page.waitForURL(/\/login\?reason=revoked_by_user/);
    expect(await new LoginPage(page).notice().innerText()).toContain('This device was signed out from another of your devices');
  });

  it('should sign out every device, this one too, on "This wasn\'t me"', async () => {
    const account = await registerAccount(suite.api);
    const stranger = await signInElsewhere(suite.api, account, USER_AGENTS.firefoxWindows);
    const page = await signInThroughUi(suite.test, account, { userAgent: USER_AGENTS.chromeLinux });
    const tab = await page.context().newPage();
    await new DevicesPage(tab).open();
    await page.getByRole('button', { name: 'This wasn’t me: Firefox 140 on Windows 10' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('What happened? (optional)').fill('I have never used Windows');
    await dialog.getByRole('button', { name: 'Sign out everywhere' }).click();
    await page.waitForURL(/\/login\?reason=security_concern/);
    expect(await new LoginPage(page).notice().innerText()).toContain('You were signed out everywhere');
    await tab.waitForURL(/\/login/, { timeout: 5_000 });
    expect((await stranger.get('/api/auth/me')).status).toBe(401);
  });

  it('should sign out the other devices when the password changes, and tell them why', async () => {
    const account = await registerAccount(suite.api);
    const page = await signInThroughUi(suite.test, account, { userAgent: USER_AGENTS.chromeLinux });
    const other = await signInThroughUi(suite.test, account, { userAgent: USER_AGENTS.edgeMac });
    await new DevicesPage(page).open();
    const form = page.getByTestId('password-form');
    await form.getByLabel('Current password').fill(PASSWORD);
    await form.getByLabel('New password', { exact: true }).fill('a brand new passphrase');
    await form.getByLabel('Repeat new password').fill('a brand new passphrase');
    await form.getByRole('button', { name: /Change password/ }).click();
    await page.getByText(/Password changed\. 1 other device was signed out\./).waitFor();
    await other.waitForURL(/\/login\?reason=password_change/, { timeout: 5_000 });
    expect(await new LoginPage(other).notice().innerText()).toContain('Your password was changed on another device');
    await new DevicesPage(page).row('Edge').waitFor({ state: 'detached' });
    expect(await new DevicesPage(page).rows().count()).toBe(1);
  });
});

async function deviceName(row: ReturnType<DevicesPage['row']>): Promise<string> {
  return (await row.getByTestId('device-name').innerText()).trim();
}
