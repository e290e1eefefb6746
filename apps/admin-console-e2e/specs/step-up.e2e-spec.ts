import { ADMIN, USER_AGENTS, registerAccount, signInElsewhere } from '../helpers/api.js';
import { checkPage } from '../helpers/browser.js';
import { signInThroughUi } from '../helpers/flows.js';
import { browserSuite } from '../helpers/suite.js';
import { DevicesPage } from '../pages/devices.page.js';

// A session counts as fresh for 3 seconds only, so the step-up dialog appears without waiting 15 minutes.
// Not 1 second: the action the dialog retries after the password must land inside the window, and on a
// loaded CI machine the password check, the rotation and the retry once took longer than 1 s.
const FRESH_AGE_SECONDS = 3;
const suite = browserSuite({ FRESH_AGE_SECONDS: String(FRESH_AGE_SECONDS) });
const UNTIL_STALE_MS = FRESH_AGE_SECONDS * 1000 + 200;

describe('step-up (reauth_required)', () => {
  it('should ask for the password on 403 reauth_required, then complete the action', async () => {
    const account = await registerAccount(suite.api);
    const other = await signInElsewhere(suite.api, account, USER_AGENTS.firefoxWindows);
    const page = await signInThroughUi(suite.test, account, { userAgent: USER_AGENTS.chromeLinux });
    const devices = new DevicesPage(page);
    await devices.row('Firefox').waitFor();
    await page.waitForTimeout(UNTIL_STALE_MS);
    suite.test.expectConsoleError(/status of 403/);

    await devices.revoke('Firefox 140 on Windows 10');
    // The confirmation dialog itself asks for the password: no second dialog follows it.
    const dialog = page.getByRole('dialog', { name: 'Sign out this device?' });
    await dialog.getByLabel('Password').waitFor();
    expect(await page.getByRole('dialog').count()).toBe(1);
    await checkPage(page, suite.test, 'step-up-in-the-dialog');
    await dialog.getByLabel('Password').fill('not the password at all');
    await dialog.getByRole('button', { name: 'Sign out device' }).click();
    await dialog.getByText('The password is not correct.').waitFor();
    await dialog.getByLabel('Password').fill(account.password);
    await dialog.getByRole('button', { name: 'Sign out device' }).click();

    await dialog.waitFor({ state: 'detached' });
    await devices.row('Firefox').waitFor({ state: 'detached' });
    await page.getByText('Firefox 140 on Windows 10 was signed out.').waitFor();
    expect((await other.get('/api/auth/me')).status).toBe(401);
  });

  it('should change nothing when the password dialog is cancelled', async () => {
    const account = await registerAccount(suite.api);
    const other = await signInElsewhere(suite.api, account, USER_AGENTS.firefoxWindows);
    const page = await signInThroughUi(suite.test, account, { userAgent: USER_AGENTS.chromeLinux });
    const devices = new DevicesPage(page);
    await devices.row('Firefox').waitFor();
    await page.waitForTimeout(UNTIL_STALE_MS);
    suite.test.expectConsoleError(/status of 403/);

    await devices.revoke('Firefox 140 on Windows 10');
    const dialog = page.getByRole('dialog', { name: 'Sign out this device?' });
    await dialog.getByLabel('Password').waitFor();
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await page.getByText(/nothing was changed, because your password was not confirmed/).waitFor();
    expect(await devices.rows().count()).toBe(2);
    expect((await other.get('/api/auth/me')).status).toBe(200);
  });

  it("should ask an admin for the password inside the 'Revoke all' dialog, keeping the note for the audit log", async () => {
    const account = await registerAccount(suite.api);
    const victim = await signInElsewhere(suite.api, account, USER_AGENTS.firefoxWindows);
    const admin = await signInThroughUi(suite.test, ADMIN);
    await admin.goto(`/admin/users/${account.id}`);
    await admin.getByRole('heading', { level: 1, name: account.email }).waitFor();
    await admin.getByTestId('user-sessions').getByTestId('session-row').first().waitFor();
    await admin.waitForTimeout(UNTIL_STALE_MS);
    suite.test.expectConsoleError(/status of 403/);

    await admin.getByTestId('revoke-all').click();
    const dialog = admin.getByRole('dialog', { name: 'Revoke every session of this user?' });
    await dialog.getByLabel('Note for the audit log (optional)').fill('Step-up in place');
    await dialog.getByRole('button', { name: 'Revoke all' }).click();
    await dialog.getByLabel('Password').fill(ADMIN.password);
    expect(await admin.getByRole('dialog').count()).toBe(1);
    await dialog.getByRole('button', { name: 'Revoke all' }).click();
    await admin.getByText('1 session was revoked.').waitFor();
    expect((await victim.get('/api/auth/me')).status).toBe(401);

    const audit = await admin.request.get(`/api/admin/audit?type=logout_everywhere&userId=${account.id}`);
    expect((await audit.json()).items[0]).toMatchObject({ note: 'Step-up in place', reason: 'revoked_by_admin' });
  });
});
