import { USER_AGENTS, registerAccount, signInElsewhere } from '../helpers/api.js';
import { checkPage } from '../helpers/browser.js';
import { signInThroughUi } from '../helpers/flows.js';
import { browserSuite } from '../helpers/suite.js';
import { DevicesPage } from '../pages/devices.page.js';

// A session counts as fresh for one second only, so the step-up dialog appears without waiting 15 minutes.
const suite = browserSuite({ FRESH_AGE_SECONDS: '1' });

describe('step-up (reauth_required)', () => {
  it('should ask for the password on 403 reauth_required, then complete the action', async () => {
    const account = await registerAccount(suite.api);
    const other = await signInElsewhere(suite.api, account, USER_AGENTS.firefoxWindows);
    const page = await signInThroughUi(suite.test, account, { userAgent: USER_AGENTS.chromeLinux });
    const devices = new DevicesPage(page);
    await devices.row('Firefox').waitFor();
    await page.waitForTimeout(1_200);
    suite.test.expectConsoleError(/status of 403/);

    await devices.revoke('Firefox 140 on Windows 10');
    const dialog = page.getByRole('dialog', { name: 'Confirm your password' });
    await dialog.waitFor();
    await checkPage(page, suite.test, 'step-up-dialog');
    await dialog.getByLabel('Password').fill('not the password at all');
    await dialog.getByRole('button', { name: 'Confirm' }).click();
    await dialog.getByText('The password is not correct.').waitFor();
    await dialog.getByLabel('Password').fill(account.password);
    await dialog.getByRole('button', { name: 'Confirm' }).click();

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
    await page.waitForTimeout(1_200);
    suite.test.expectConsoleError(/status of 403/);

    await devices.revoke('Firefox 140 on Windows 10');
    const dialog = page.getByRole('dialog', { name: 'Confirm your password' });
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await page.getByText(/nothing was changed, because your password was not confirmed/).waitFor();
    expect(await devices.rows().count()).toBe(2);
    expect((await other.get('/api/auth/me')).status).toBe(200);
  });
});
