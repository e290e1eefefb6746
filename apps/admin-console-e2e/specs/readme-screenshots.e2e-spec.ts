import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { ADMIN, USER_AGENTS, registerAccount, signInElsewhere } from '../helpers/api.js';
import { checkPage } from '../helpers/browser.js';
import { signInThroughUi } from '../helpers/flows.js';
import { browserSuite } from '../helpers/suite.js';
import { AdminUsersPage } from '../pages/admin-user.page.js';
import { DevicesPage } from '../pages/devices.page.js';

// `npm run screenshots` sets this to docs/screenshots to refresh the README's images; in the normal suite
// the same pages are only checked and kept as artifacts.
const target = process.env['SIGNOFF_README_SCREENSHOTS'];
const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));

const suite = browserSuite();

describe('README screenshots', () => {
  // Idle sessions end after 30 minutes by default, so the active ones are backdated by minutes only.
  it('should capture the devices page and the admin user page with realistic data', async () => {
    const account = await registerAccount(suite.api, 'dana', 'dana@example.com');
    await signInElsewhere(suite.api, account, USER_AGENTS.safariIphone);
    await signInElsewhere(suite.api, account, USER_AGENTS.firefoxWindows);
    const laptop = await signInElsewhere(suite.api, account, USER_AGENTS.edgeMac);
    expect((await laptop.post('/api/auth/logout')).status).toBe(200);
    await backdateActivity({ [USER_AGENTS.safariIphone]: 3, [USER_AGENTS.firefoxWindows]: 17, [USER_AGENTS.edgeMac]: 2 * 24 * 60 });

    const page = await signInThroughUi(suite.test, account, { userAgent: USER_AGENTS.chromeLinux });
    const devices = new DevicesPage(page);
    await devices.rows().nth(2).waitFor();
    await page.getByTestId('end-reason').first().waitFor();
    await checkPage(page, suite.test, 'devices');
    await save(page, 'devices.png');

    const admin = await signInThroughUi(suite.test, ADMIN, { userAgent: USER_AGENTS.chromeLinux });
    await admin.goto('/admin/users');
    const users = new AdminUsersPage(admin);
    await users.search(account.email);
    const user = await users.openUser(account.email);
    await user.rows().nth(2).waitFor();
    await user.select(/^Select Firefox/);
    await admin.getByLabel('Note for the audit log (optional)').fill('Reported lost by the user');
    await checkPage(admin, suite.test, 'admin-user');
    await save(admin, 'admin-user.png');
  });
});

/**
 * Makes "Last active" read like a real account (minutes, a day) instead of "just now" everywhere. Cosmetic and
 * best-effort: it writes the demo schema's auth_sessions directly, and is skipped if that ever changes.
 */
async function backdateActivity(minutesAgoByUserAgent: Record<string, number>): Promise<void> {
  const client = new pg.Client({ connectionString: process.env['SIGNOFF_TEST_DATABASE_URL'] });
  try {
    await client.connect();
    for (const [userAgent, minutes] of Object.entries(minutesAgoByUserAgent)) {
      await client.query(
        `UPDATE auth_sessions
            SET last_active_at = now() - make_interval(mins => $2),
                created_at = now() - make_interval(mins => $2 + 90),
                ended_at = CASE WHEN ended_at IS NULL THEN NULL ELSE now() - make_interval(mins => $2) END
          WHERE user_agent = $1`,
        [userAgent, minutes],
      );
    }
  } catch {
    // Only the pictures get less realistic.
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function save(page: import('playwright-core').Page, name: string): Promise<void> {
  if (!target) return;
  const directory = resolve(repoRoot, target);
  mkdirSync(directory, { recursive: true });
  // Playwright hides the text caret by default, so regenerated images differ only in content.
  await page.screenshot({ path: resolve(directory, name), fullPage: true });
}
