// The browser suite: Playwright (playwright-core + Debian's /usr/bin/chromium) against the built API serving
// the built console. It uses the e2e harness (fresh database and Redis key prefix per run), but is its own
// Jest config so `npm run test:e2e` does not run it a second time.
const swc = [
  '@swc/jest',
  {
    jsc: { parser: { syntax: 'typescript' }, target: 'es2022' },
    module: { type: 'es6' },
  },
];

module.exports = {
  rootDir: '../..',
  displayName: 'browser',
  testMatch: ['<rootDir>/apps/admin-console-e2e/specs/**/*.e2e-spec.ts'],
  extensionsToTreatAsEsm: ['.ts'],
  transform: { '^.+\\.ts$': swc },
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  testEnvironment: 'node',
  globalSetup: '<rootDir>/test-support/global-setup.ts',
  globalTeardown: '<rootDir>/test-support/global-teardown.ts',
  testTimeout: 60000,
  // Each file runs one API process and one Chromium; two at a time fit a 2-core machine.
  maxWorkers: 2,
};
