import { registerAccount } from '../helpers/api.js';
import { checkPage } from '../helpers/browser.js';
import { signOutThroughUi } from '../helpers/flows.js';
import { browserSuite } from '../helpers/suite.js';
import { LoginPage } from '../pages/login.page.js';

const suite = browserSuite();

function cspOf(response: Response): Map<string, string> {
  const header = response.headers.get('content-security-policy') ?? '';
  return new Map(
    header
      .split(';')
      .map((part) => part.trim())
      .filter(Boolean)
      .map((part) => [part.split(/\s+/)[0], part.slice(part.indexOf(' ') + 1)] as [string, string]),
  );
}

describe('serving the console from the API', () => {
  it('should serve index.html with a strict CSP, a fresh nonce per response and no-store', async () => {
    const first = await fetch(`${suite.api.url}/`);
    const second = await fetch(`${suite.api.url}/`);
    const [firstHtml, secondHtml] = [await first.text(), await second.text()];
    expect(first.status).toBe(200);
    expect(first.headers.get('cache-control')).toBe('no-store');
    const csp = cspOf(first);
    expect(csp.get('default-src')).toBe("'self'");
    expect(csp.get('frame-ancestors')).toBe("'none'");
    expect(csp.get('base-uri')).toBe("'self'");
    expect(csp.get('form-action')).toBe("'self'");
    expect(csp.get('style-src')).not.toContain('unsafe-inline');
    const nonce = /'nonce-([^']+)'/.exec(csp.get('style-src') ?? '')?.[1];
    expect(nonce).toBeDefined();
    expect(firstHtml).toContain(`ngcspnonce="${nonce}"`);
    expect(firstHtml).not.toContain('__CSP_NONCE__');
    expect(/ngcspnonce="([^"]+)"/.exec(secondHtml)?.[1]).not.toBe(nonce);
  });

  it('should answer client routes with index.html and leave /api and missing files to the API', async () => {
    for (const path of ['/login', '/devices', '/admin/users/6f9f3b9e-2c54-4a8e-9d59-1b1f7c4c9a11', '/admin/audit']) {
      const response = await fetch(`${suite.api.url}${path}`);
      expect({ path, status: response.status, type: response.headers.get('content-type') }).toEqual({
        path,
        status: 200,
        type: 'text/html; charset=utf-8',
      });
    }
    const api = await fetch(`${suite.api.url}/api/no-such-route`);
    expect(api.status).toBe(404);
    expect(api.headers.get('content-type')).toContain('application/json');
    expect((await fetch(`${suite.api.url}/no-such-file.js`)).status).toBe(404);
    expect((await fetch(`${suite.api.url}/..%2f..%2fpackage.json`)).status).toBe(404);
  });

  it('should cache hashed files for a year and keep index.html out of every cache', async () => {
    const html = await (await fetch(`${suite.api.url}/`)).text();
    const script = /src="(main-[A-Za-z0-9_]{8}\.js)"/.exec(html)?.[1];
    expect(script).toBeDefined();
    const asset = await fetch(`${suite.api.url}/${script}`);
    expect(asset.status).toBe(200);
    expect(asset.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(asset.headers.get('content-type')).toContain('javascript');
  });

  it('should render the login page under the CSP, with self-hosted fonts and no console errors', async () => {
    const page = await suite.test.newPage();
    const fontRequests: string[] = [];
    page.on('request', (request) => {
      if (request.resourceType() === 'font') fontRequests.push(request.url());
    });
    await new LoginPage(page).open();
    await page.getByRole('heading', { name: 'Sign in to Signoff' }).waitFor();
    await page.evaluate(() => document.fonts.ready);
    await checkPage(page, suite.test, 'login');
    expect(fontRequests.length).toBeGreaterThan(0);
    expect(fontRequests.every((url) => url.startsWith(suite.api.url))).toBe(true);
    expect(await page.evaluate(() => document.fonts.check('24px "Material Symbols Outlined"'))).toBe(true);
  });

  it('should refuse to be framed by another origin (frame-ancestors)', async () => {
    const page = await suite.test.newPage();
    suite.test.expectConsoleError(/frame-ancestors|Refused to (display|frame)/);
    await page.setContent(`<iframe id="console" src="${suite.api.url}/login" title="console"></iframe>`);
    await page.waitForTimeout(500);
    const frame = page.frames().find((candidate) => candidate.url().startsWith(suite.api.url));
    const heading = frame
      ? await frame
          .locator('h1')
          .count()
          .catch(() => 0)
      : 0;
    expect(heading).toBe(0);
  });

  it('should call the API only where index.html puts it, and not ask about sign-up when index.html says it is closed', async () => {
    // A host that mounts the library under /identity and takes no sign-ups edits two meta tags in the built
    // index.html. The browser gets exactly that page; its /identity calls reach the demo's /api routes (the demo
    // keeps the contract's prefix), and any call still made to /api is refused and fails the test.
    const account = await registerAccount(suite.api);
    const viaIdentity: string[] = [];
    const toApi: string[] = [];
    const context = await suite.test.newContext();
    await context.route('**/*', async (route) => {
      const request = route.request();
      const url = new URL(request.url());
      if (url.origin !== suite.api.url) return route.continue();
      if (request.resourceType() === 'document') {
        const response = await route.fetch();
        const html = (await response.text()).replace(
          /<meta name="signoff-api" content="\/api"\s*\/?>/,
          '<meta name="signoff-api" content="/identity" /><meta name="signoff-registration" content="closed" />',
        );
        return route.fulfill({ response, body: html });
      }
      if (url.pathname.startsWith('/identity/')) {
        viaIdentity.push(`${request.method()} ${url.pathname}`);
        return route.continue({ url: `${url.origin}/api/${url.pathname.slice('/identity/'.length)}${url.search}` });
      }
      if (url.pathname.startsWith('/api/')) {
        toApi.push(`${request.method()} ${url.pathname}`);
        return route.abort('blockedbyclient');
      }
      return route.continue();
    });
    const page = await context.newPage();
    const login = new LoginPage(page);
    await login.open();
    expect(await page.locator('meta[name="signoff-api"]').getAttribute('content')).toBe('/identity');
    await login.signIn(account.email, account.password);
    await page.waitForURL(/\/devices$/);
    await page.getByTestId('session-row').first().waitFor();
    for (let waited = 0; !viaIdentity.includes('GET /identity/auth/events') && waited < 5_000; waited += 50) await page.waitForTimeout(50);
    await signOutThroughUi(page);
    await page.waitForURL(/\/login\?logged_out=1$/);

    expect(toApi).toEqual([]);
    expect(viaIdentity).toEqual(
      expect.arrayContaining([
        'GET /identity/auth/oidc/status',
        'POST /identity/auth/login',
        'GET /identity/auth/sessions',
        'GET /identity/auth/events',
        'POST /identity/auth/logout',
      ]),
    );
    expect(viaIdentity.filter((call) => call.includes('registration'))).toEqual([]);
    expect(await page.getByTestId('signup-link').count()).toBe(0);
  });
});
