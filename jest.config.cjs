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
// The core contract, run again on Fastify (see the e2e-fastify project): each row of the list
// is covered by these files without re-running the whole suite (docs/transports.md, "What the tests prove").
const FASTIFY_CONTRACT_SPECS = [
  'login', // login, cookies and their attributes, Origin on login, fixation
  'logout', // logout, its cookies and headers, 405 Allow, 303 form post, CSRF and Origin
  'tokens', // bearer and refresh, rotation, reuse, revoke
  'instances', // revocation across two instances with no window
  'events', // the event stream
  'faults', // 503 when PostgreSQL is down (and Redis down)
  'security-events', // AUD-06: what the guards log of refused requests (the request is read per adapter)
  'account-rate-limit', // the per-account sign-in limit: its 429, Retry-After and security event, per adapter
  // Admin revocation on Fastify: apps/api/test/platform-parity.e2e-spec.ts (the admin's requests,
  // compared byte for byte with Express) and the fixture hosts' revocation tests
  // (libs/auth-sessions/test/e2e/websockets.e2e-spec.ts); admin.e2e-spec.ts alone takes 2 minutes.
].map((name) => `<rootDir>/apps/api/test/${name}.e2e-spec.ts`);
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
    {
      ...shared,
      // The same specs with every demo process on Fastify (HTTP_ADAPTER=fastify). Jest runs the shared
      // global setup once for both projects: one database and one Redis prefix per run.
      displayName: 'e2e-fastify',
      testMatch: FASTIFY_CONTRACT_SPECS,
      setupFiles: ['<rootDir>/test-support/http-adapter-fastify.setup.ts'],
      globalSetup: '<rootDir>/test-support/global-setup.ts',
      globalTeardown: '<rootDir>/test-support/global-teardown.ts',
    },
  ],
};
