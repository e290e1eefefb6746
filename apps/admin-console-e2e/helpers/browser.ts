import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AxeBuilder } from '@axe-core/playwright';
import { chromium, type Browser, type BrowserContext, type BrowserContextOptions, type Page } from 'playwright-core';

const CHROMIUM = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';

/** The sizes every page is checked at: a desktop, a common phone, and the narrowest phone the console supports. */
export const VIEWPORTS = {
  desktop: { width: 1280, height: 800 },
  phone: { width: 390, height: 844 },
  smallPhone: { width: 360, height: 740 },
} as const;
export type ViewportName = keyof typeof VIEWPORTS;
const ARTIFACTS = fileURLToPath(new URL('../../../test-artifacts/browser/', import.meta.url));

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-dev-shm-usage',
      '--disable-quic',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}

/**
 * The browser side of one test: contexts and pages it opened, and every console error, console warning and
 * uncaught page error they produced. A test fails on any of them unless it said it expects that one
 * (`expectConsoleError`): an Angular warning such as NG0953 fails the suite like an error.
 */
export class BrowserTest {
  private readonly contexts: BrowserContext[] = [];
  private readonly errors: string[] = [];
  private readonly expected: RegExp[] = [];

  constructor(
    private readonly browser: Browser,
    private readonly baseURL: string,
    readonly name: string,
  ) {}

  async newContext(options: BrowserContextOptions = {}): Promise<BrowserContext> {
    const context = await this.browser.newContext({ baseURL: this.baseURL, viewport: VIEWPORTS.desktop, ...options });
    context.setDefaultTimeout(10_000);
    context.on('page', (page) => this.watch(page));
    this.contexts.push(context);
    return context;
  }

  async newPage(options: BrowserContextOptions = {}): Promise<Page> {
    const context = await this.newContext(options);
    return context.newPage();
  }

  /** A console error or warning this test provokes on purpose (e.g. the browser's own line for an expected 401). */
  expectConsoleError(pattern: RegExp): void {
    this.expected.push(pattern);
  }

  unexpectedErrors(): string[] {
    return this.errors.filter((error) => !this.expected.some((pattern) => pattern.test(error)));
  }

  async close(): Promise<void> {
    await Promise.all(this.contexts.map((context) => context.close().catch(() => undefined)));
  }

  private watch(page: Page): void {
    page.on('console', (message) => {
      const type = message.type();
      if (type === 'error' || type === 'warning') this.errors.push(`console ${type}: ${message.text()} (${message.location().url})`);
    });
    page.on('pageerror', (error) => this.errors.push(`page error: ${error.message}`));
    // A page must never be able to open a dialog (alert/confirm): that would be script from device data.
    page.on('dialog', (dialog) => {
      this.errors.push(`unexpected ${dialog.type()} dialog: ${dialog.message()}`);
      void dialog.dismiss();
    });
  }
}

/**
 * Checks a page the way every page is checked: axe-core finds no serious or critical accessibility violation,
 * and a screenshot goes to test-artifacts/ (git-ignored).
 */
export async function checkPage(page: Page, test: BrowserTest, name: string): Promise<void> {
  // Not 'networkidle': the console keeps its logout event stream open, so the network is never idle.
  await page.waitForFunction(() => document.fonts.status === 'loaded' && !document.querySelector('mat-progress-bar'));
  // TERM-15: every signed-in page offers sign-out (in the header menu on narrow screens).
  const pathname = new URL(page.url()).pathname;
  if (!pathname.startsWith('/login') && !pathname.startsWith('/signup') && !(await signOutReachable(page))) {
    throw new Error(`${name} (${page.url()}) has no reachable sign-out control`);
  }
  await expectNoHorizontalScroll(page, name);
  // Legacy mode runs axe.run() in the page itself. The default opens a blank page in the context to finish
  // the run (a renderer process start for every check, 0.7 s of the 1.4 s a check took): that step exists for
  // cross-origin frames, and the console has none.
  const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa']).setLegacyMode().analyze();
  await screenshot(page, test, name);
  const serious = results.violations.filter((violation) => violation.impact === 'serious' || violation.impact === 'critical');
  if (serious.length > 0) {
    const details = serious
      .map(
        (violation) =>
          `${violation.id} (${violation.impact}): ${violation.help}\n${violation.nodes.map((node) => `    ${node.target.join(' ')}: ${node.failureSummary ?? ''}`).join('\n')}`,
      )
      .join('\n');
    throw new Error(`axe found ${serious.length} serious or critical violations on ${name} (${page.url()}):\n${details}`);
  }
}

/** Whether sign-out is on screen, or one tap away in the header menu (which is closed again). */
export async function signOutReachable(page: Page): Promise<boolean> {
  if (await page.getByTestId('logout').isVisible()) return true;
  const menu = page.getByTestId('menu-button');
  if (!(await menu.isVisible())) return false;
  await menu.click();
  const item = page.getByRole('menuitem', { name: 'Sign out' });
  const visible = await item.isVisible();
  await page.keyboard.press('Escape');
  await page.getByRole('menu').waitFor({ state: 'detached' });
  return visible;
}

/** The page is no wider than the window: nothing (a table, a toolbar) pushes actions off-screen sideways. */
export async function expectNoHorizontalScroll(page: Page, name = page.url()): Promise<void> {
  const widths = await page.evaluate(() => ({ page: document.documentElement.scrollWidth, window: window.innerWidth }));
  if (widths.page > widths.window) throw new Error(`${name} (${page.url()}) scrolls sideways: ${widths.page} px of content in a ${widths.window} px window`);
}

export async function screenshot(page: Page, test: BrowserTest, name: string, directory = ARTIFACTS): Promise<string> {
  const folder = join(directory, slug(test.name));
  mkdirSync(folder, { recursive: true });
  const path = join(folder, `${slug(name)}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

function slug(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '')
    .slice(0, 80);
}
