// Nest 12 is ESM-only: jest runs with --experimental-vm-modules and @swc/jest emits ES modules.
const swc = [
  '@swc/jest',
  {
    jsc: {
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true, useDefineForClassFields: false },
      target: 'es2022',
    },
    module: { type: 'es6' },
  },
];
const shared = {
  extensionsToTreatAsEsm: ['.ts'],
  transform: { '^.+\\.ts$': swc },
  moduleNameMapper: {
    '^@signoff/auth-sessions$': '<rootDir>/libs/auth-sessions/src/index.ts',
    '^@signoff/auth-sessions/testing$': '<rootDir>/libs/auth-sessions/src/testing/index.ts',
    '^(\\.{1,2}/.*)\\.js$': '$1',
  },
  testEnvironment: 'node',
  rootDir: __dirname,
};
module.exports = {
  // Per-project testTimeout is ignored by jest; e2e tests start real app processes.
  testTimeout: 60000,
  projects: [
    {
      ...shared,
      displayName: 'unit',
      testMatch: ['<rootDir>/{apps,libs}/*/src/**/*.spec.ts'],
      // The Angular console's specs run under its own runner (npm run test:console: ng test, vitest, jsdom).
      testPathIgnorePatterns: ['/node_modules/', '<rootDir>/apps/admin-console/'],
    },
    {
      ...shared,
      displayName: 'e2e',
      testMatch: ['<rootDir>/{apps,libs}/*/test/**/*.e2e-spec.ts'],
      globalSetup: '<rootDir>/test-support/global-setup.ts',
      globalTeardown: '<rootDir>/test-support/global-teardown.ts',
    },
  ],
};
