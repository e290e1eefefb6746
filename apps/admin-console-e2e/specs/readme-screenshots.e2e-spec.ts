import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { BrowserClient } from '../../../test-support/http-client.js';
import { ADMIN, USER_AGENTS, registerAccount, type Account } from '../helpers/api.js';
import { checkPage, type ViewportName } from '../helpers/browser.js';
import { signInThroughUi } from '../helpers/flows.js';
import { browserSuite } from '../helpers/suite.js';
import { AdminUsersPage } from '../pages/admin-user.page.js';
import { DevicesPage } from '../pages/devices.page.js';

// `npm run screenshots` sets this to docs/screenshots to refresh the README's images; in the normal suite
// the same pages are only checked and kept as artifacts. One proxy hop is trusted, so the sessions can come
// "from" public addresses and show real places.
const target = process.env['SIGNOFF_README_SCREENSHOTS'];
const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));

const suite = browserSuite({ TRUST_PROXY: '1' });

/** A session on another device, signed in from `ip` (as a proxy would report it). */
async function signInFrom(account: Account, userAgent: string, ip: string): Promise<BrowserClient> {
  const client = new BrowserClient(suite.api.url, { userAgent });
  const response = await client.post('/api/auth/login', { json: { email: account.email, password: account.password }, headers: { 'X-Forwarded-For': ip } });
  if (response.status !== 200) throw new Error(`login failed: ${response.status}`);
  return client;
}

describe('README screenshots', () => {
  it('should capture the devices page, the admin overview and an admin user page (at phone size too for the README)', async () => {
    const account = await registerAccount(suite.api, 'dana', 'dana@example.com');
    await signInFrom(account, USER_AGENTS.safariIphone, '81.2.69.160');
    await signInFrom(account, USER_AGENTS.firefoxWindows, '193.0.0.1');
    for (const ip of ['81.2.69.160', '81.2.69.161'])
      expect((await (await signInFrom(account, USER_AGENTS.safariIphone, ip)).post('/api/auth/logout')).status).toBe(200);
    expect((await (await signInFrom(account, USER_AGENTS.edgeMac, '81.2.69.162')).post('/api/auth/logout')).status).toBe(200);
    await seedHistory();
    await backdateActivity({ [USER_AGENTS.safariIphone]: 3, [USER_AGENTS.firefoxWindows]: 17, [USER_AGENTS.edgeMac]: 2 * 24 * 60 });

    // The README has both sizes; in the normal suite the phone pages are phones.e2e-spec's, so desktop only.
    for (const size of (target ? ['desktop', 'phone'] : ['desktop']) as ViewportName[]) {
      const suffix = size === 'desktop' ? '' : '-phone';
      const page = await signInThroughUi(suite.test, account, {
        userAgent: USER_AGENTS.chromeLinux,
        viewport: size,
        headers: { 'X-Forwarded-For': '81.2.69.160' },
      });
      const devices = new DevicesPage(page);
      await devices.rows().nth(2).waitFor();
      await page.getByTestId('ended-group').first().waitFor();
      await checkPage(page, suite.test, `devices${suffix}`);
      await save(page, `devices${suffix}.png`);

      const admin = await signInThroughUi(suite.test, ADMIN, { userAgent: USER_AGENTS.chromeLinux, viewport: size });
      await admin.getByTestId('chart-sign-ins').locator('canvas').waitFor();
      await checkPage(admin, suite.test, `admin-overview${suffix}`);
      await save(admin, `admin-overview${suffix}.png`);

      await admin.goto('/admin/users');
      const users = new AdminUsersPage(admin);
      await users.search(account.email);
      const user = await users.openUser(account.email);
      await user.rows().nth(2).waitFor();
      await user.select(/^Select Firefox/);
      await checkPage(admin, suite.test, `admin-user${suffix}`);
      await save(admin, `admin-user${suffix}.png`);
    }
  }, 240_000);
});

/**
 * Thirty days of other people's sign-ins and sign-outs for the overview's charts, written straight into the demo schema
 * (much faster than signing in thousands of times). Cosmetic and best-effort: skipped if the schema changes.
 */
async function seedHistory(): Promise<void> {
  const client = new pg.Client({ connectionString: process.env['SIGNOFF_TEST_DATABASE_URL'] });
  try {
    await client.connect();
    await client.query(
      `INSERT INTO auth_sessions (id, user_id, kind, token_hash, user_agent, browser, os, device_type, ip, location, created_at,
                                  last_active_at, idle_seconds, absolute_expires_at, fresh_at, ended_at, end_reason)
       SELECT gen_random_uuid(), gen_random_uuid(), 'cookie', sha256(convert_to(g::text || random()::text, 'UTF8')), 'Seed/1.0',
              (ARRAY['Chrome 156', 'Mobile Safari 18', 'Firefox 140', 'Edge 155'])[1 + g % 4],
              (ARRAY['Windows 11', 'iOS 18.5', 'Linux', 'Mac OS 10.15.7'])[1 + g % 4],
              (ARRAY['desktop', 'mobile', 'desktop', 'desktop'])[1 + g % 4], '198.51.100.' || (g % 200),
              (ARRAY['London, England, United Kingdom', 'Amsterdam, North Holland, Netherlands', 'Local network', 'Lyon, Auvergne-Rhône-Alpes, France'])[1 + g % 4],
              created, created + interval '20 minutes', 1800, created + interval '12 hours', created,
              created + make_interval(mins => 30 + g % 300),
              (ARRAY['logout', 'expired_idle', 'expired_idle', 'logout_everywhere', 'revoked_by_admin', 'password_change', 'logout'])[1 + g % 7]
         FROM generate_series(1, 600) g,
              LATERAL (SELECT now() - make_interval(days => 1 + g % 29, mins => (g * 37) % 600) AS created) t`,
    );
  } catch {
    // Only the charts get emptier.
  } finally {
    await client.end().catch(() => undefined);
  }
}

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
