import type { Locator, Page } from 'playwright-core';
import { ADMIN, USER_AGENTS, registerAccount, signInElsewhere } from '../helpers/api.js';
import { VIEWPORTS, checkPage, expectNoHorizontalScroll, type ViewportName } from '../helpers/browser.js';
import { signInThroughUi, signOutThroughUi } from '../helpers/flows.js';
import { browserSuite } from '../helpers/suite.js';
import { DevicesPage } from '../pages/devices.page.js';

// Every page at the narrowest phone size supported (360×740) and at a desktop size: nothing
// scrolls sideways, every action can be reached, and a device's name stays beside its actions. checkPage
// adds axe (no serious or critical issue) and "sign-out is reachable" on each.
const suite = browserSuite();

// The console's only phone breakpoint is 600 px (every media query is at 599.98 px or wider), so a 390 px phone
// lays out as the narrowest supported one does, with 30 px more room: this file checks the narrowest. The other
// browser specs run their phone cases at 390×844.
const SIZES: ViewportName[] = ['smallPhone', 'desktop'];
// A user agent long enough to push a table cell wide, if anything let it.
const LONG_USER_AGENT = `Mozilla/5.0 (Linux; Android 16; SM-S928B Build/AP3A.240905.015.A2; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/156.0.7778.135 Mobile Safari/537.36 ${'x'.repeat(120)}`;

/** The element is inside the window horizontally once scrolled to: reachable without sideways scrolling. */
async function expectReachable(page: Page, target: Locator, what: string): Promise<void> {
  await target.scrollIntoViewIfNeeded();
  const box = await target.boundingBox();
  const width = page.viewportSize()!.width;
  if (!box || box.x < 0 || box.x + box.width > width + 0.5) throw new Error(`${what} is off-screen: ${JSON.stringify(box)} in a ${width} px window`);
  expect(await target.isVisible()).toBe(true);
}

describe.each(SIZES)('at %s size', (size) => {
  it("should show a user's five devices as cards, each sign-in's actions beside its device name, sign-out in reach", async () => {
    const account = await registerAccount(suite.api);
    for (const agent of [USER_AGENTS.safariIphone, USER_AGENTS.firefoxWindows, USER_AGENTS.edgeMac, LONG_USER_AGENT])
      await signInElsewhere(suite.api, account, agent);
    const page = await signInThroughUi(suite.test, account, { userAgent: USER_AGENTS.chromeLinux, viewport: size });
    const devices = new DevicesPage(page);
    await devices.rows().nth(4).waitFor();
    expect(await devices.groups().count()).toBe(5);
    await checkPage(page, suite.test, `devices-${size}`);

    for (let index = 0; index < 5; index++) {
      const group = devices.groups().nth(index);
      await expectReachable(page, group.getByRole('heading', { level: 3 }), `device name ${index}`);
      const row = group.getByTestId('session-row').first();
      if ((await row.getByTestId('this-device').count()) > 0) continue;
      // The actions sit inside the same card as the device's name.
      for (const button of [row.getByRole('button', { name: /^Sign out / }), row.getByRole('button', { name: /^This wasn’t me/ })]) {
        await expectReachable(page, button, `an action of device ${index}`);
      }
    }
    await expectReachable(page, page.getByTestId('revoke-others'), 'Sign out all other devices');
    await expectReachable(page, page.getByTestId('password-form').getByRole('button'), 'the password form');

    // The sign-out is reachable and works at this size too.
    await signOutThroughUi(page);
    await page.waitForURL(/\/login\?logged_out=1$/);
    await expectNoHorizontalScroll(page);
    await checkPage(page, suite.test, `login-${size}`);
  }, 150_000);

  it('should fit every admin page, with the header in a menu on phones and every action in reach', async () => {
    const account = await registerAccount(suite.api, 'phone-target');
    await signInElsewhere(suite.api, account, LONG_USER_AGENT);
    await signInElsewhere(suite.api, account, USER_AGENTS.safariIphone);
    const admin = await signInThroughUi(suite.test, ADMIN, { viewport: size });
    expect(new URL(admin.url()).pathname).toBe('/admin/overview');
    await admin.getByTestId('chart-sign-ins').locator('canvas').waitFor();
    await checkPage(admin, suite.test, `overview-${size}`);
    if (size !== 'desktop') {
      expect(await admin.getByRole('navigation', { name: 'Main' }).count()).toBe(0);
      await admin.getByTestId('menu-button').click();
      for (const name of ['Overview', 'Users', 'Audit log', 'My devices', 'Sign out'])
        expect(await admin.getByRole('menuitem', { name }).isVisible()).toBe(true);
      await admin.getByRole('menuitem', { name: 'Users' }).click();
    } else {
      await admin.getByRole('link', { name: 'Users' }).click();
    }
    await admin.getByTestId('users-table').waitFor();
    await admin.getByTestId('user-search').fill(account.email);
    const link = admin.getByRole('link', { name: account.email });
    await link.waitFor();
    await checkPage(admin, suite.test, `users-${size}`);
    await expectReachable(admin, link, 'the user link');
    await link.click();
    await admin.getByTestId('user-sessions').getByTestId('session-row').nth(1).waitFor();
    await checkPage(admin, suite.test, `user-${size}`);
    for (const name of ['revoke-all', 'revoke-selected', 'user-audit-link']) await expectReachable(admin, admin.getByTestId(name), name);
    const rows = admin.getByTestId('user-sessions').getByTestId('session-row');
    for (let index = 0; index < 2; index++) {
      await expectReachable(admin, rows.nth(index).getByRole('checkbox'), `select ${index}`);
      await expectReachable(admin, rows.nth(index).getByRole('button', { name: /^Revoke / }), `revoke ${index}`);
    }
    await admin.getByTestId('user-audit-link').click();
    await admin.getByTestId('audit-row').first().waitFor();
    await checkPage(admin, suite.test, `audit-${size}`);
    await expectReachable(admin, admin.getByTestId('audit-older'), 'Older');
    await expectReachable(admin, admin.getByRole('button', { name: 'Apply filters' }), 'Apply filters');
    expect(admin.viewportSize()).toEqual(VIEWPORTS[size]);
  }, 150_000);
});
