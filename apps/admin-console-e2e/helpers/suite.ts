import type { Browser } from 'playwright-core';
import type { ApiProcess } from '../../../test-support/api-process.js';
import { startConsoleApi } from './api.js';
import { BrowserTest, launchChromium } from './browser.js';

export interface BrowserSuite {
  api: ApiProcess;
  browser: Browser;
  /** The current test's browser side; fresh for every test. */
  test: BrowserTest;
}

/**
 * Registers the hooks of a browser spec file: one API process (with `env`) and one Chromium for the file,
 * a fresh {@link BrowserTest} per test, and a failure for any browser console error the test did not expect.
 */
export function browserSuite(env: Record<string, string> = {}): BrowserSuite {
  const suite = {} as BrowserSuite;
  beforeAll(async () => {
    const [api, browser] = await Promise.all([startConsoleApi(env), launchChromium()]);
    suite.api = api;
    suite.browser = browser;
  }, 60_000);
  afterAll(async () => {
    await suite.browser?.close();
    await suite.api?.stop();
  });
  beforeEach(() => {
    suite.test = new BrowserTest(suite.browser, suite.api.url, expect.getState().currentTestName ?? 'test');
  });
  afterEach(async () => {
    const errors = suite.test.unexpectedErrors();
    await suite.test.close();
    if (errors.length > 0) throw new Error(`The browser reported errors:\n  ${errors.join('\n  ')}`);
  });
  return suite;
}
