// ESLint for the whole repository (flat config, ESLint 10): typescript-eslint with type information, the
// import-cycle rule, the boundaries that hold the library's layering and keep everything else on its public
// entries, Angular ESLint for the console, and Prettier last (formatting is Prettier's, never a lint rule).
// docs/architecture.md ("Rules the layout keeps") explains the element types and the allowed directions.
import js from '@eslint/js';
import angular from 'angular-eslint';
import prettier from 'eslint-config-prettier';
import boundaries from 'eslint-plugin-boundaries';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';
import importX from 'eslint-plugin-import-x';
import { defineConfig } from 'eslint/config';
import globals from 'globals';
import tseslint from 'typescript-eslint';

const LIB = 'libs/auth-sessions/src';

// Module resolution as TypeScript sees it: the root tsconfig maps @signoff/auth-sessions(/testing) to the
// library's source entries, the console's tsconfig maps @signoff/auth-sessions-api-types.
const tsconfigs = ['tsconfig.json', 'apps/admin-console/tsconfig.app.json', 'apps/admin-console/tsconfig.spec.json'];

/**
 * What each part of the repository is, for eslint-plugin-boundaries. The first descriptor that matches a
 * file wins, so the specific library folders come before the catch-all capability pattern.
 */
const elements = [
  // The library, top to bottom. Its root files (module, entity list, options, the public entry) are `lib-root`;
  // file categories below tell the options contract and the public entries apart.
  { type: 'lib-testing', pattern: `${LIB}/testing`, partialMatch: false },
  { type: 'lib-migrations', pattern: `${LIB}/migrations`, partialMatch: false },
  { type: 'lib-edge', pattern: `${LIB}/edge`, partialMatch: false },
  { type: 'lib-core', pattern: `${LIB}/sessions`, partialMatch: false },
  { type: 'lib-base', pattern: `${LIB}/(audit|users|places)`, capture: ['base'], partialMatch: false },
  { type: 'lib-common', pattern: `${LIB}/common`, partialMatch: false },
  // Every other folder of the library is a capability: signin, tokens, logout, devices, credentials, admin,
  // events, jobs, metrics, throttling, sso, and any new one.
  { type: 'lib-capability', pattern: `${LIB}/*`, capture: ['capability'], partialMatch: false },
  { type: 'lib-root', pattern: LIB, partialMatch: false },
  // Everything else in the repository.
  { type: 'lib-e2e', pattern: 'libs/auth-sessions/test', partialMatch: false },
  { type: 'lib-build', pattern: 'libs/auth-sessions/dist', partialMatch: false },
  { type: 'api-types', pattern: 'libs/auth-sessions-api-types', partialMatch: false },
  { type: 'app', pattern: ['apps/api/src', 'migrations'], partialMatch: false },
  { type: 'app-e2e', pattern: ['apps/api/test', 'apps/admin-console-e2e'], partialMatch: false },
  { type: 'console', pattern: 'apps/admin-console', partialMatch: false },
  { type: 'test-support', pattern: 'test-support', partialMatch: false },
  { type: 'bench', pattern: 'bench', partialMatch: false },
  { type: 'example', pattern: 'examples/host-app', partialMatch: false },
];

const files = [
  { category: 'spec', pattern: '**/*.spec.ts' },
  // The two entries of the package (exports "." and "./testing").
  { category: 'public-entry', pattern: [`${LIB}/index.ts`, `${LIB}/testing/index.ts`] },
  // The options contract that every layer reads: the options type and its resolution, the module-definition
  // token, the metadata keys.
  { category: 'options', pattern: [`${LIB}/auth-sessions.options.ts`, `${LIB}/auth-sessions.module-definition.ts`, `${LIB}/auth-sessions.constants.ts`] },
  // The API's vocabulary and plain shapes: dependency-free, re-exported for the console by libs/auth-sessions-api-types.
  { category: 'contract', pattern: [`${LIB}/**/*.shape.ts`, `${LIB}/common/session-end-reason.ts`, `${LIB}/audit/audit-event-type.ts`] },
];

const element = (...type) => ({ element: { type } });
const capability = (name) => ({ element: { type: 'lib-capability', captured: { capability: name } } });
const OPTIONS = { element: { type: 'lib-root' }, file: { categories: 'options' } };
const PUBLIC_ENTRY = { file: { categories: 'public-entry' } };
const LIBRARY = ['lib-root', 'lib-testing', 'lib-migrations', 'lib-edge', 'lib-capability', 'lib-core', 'lib-base', 'lib-common'];

/**
 * Who may import whom (the last policy that matches decides; anything no policy allows is refused). Inside the
 * library the arrows point down: root → edge and capabilities → sessions core → audit, users, places → common,
 * with the options contract readable from every layer.
 */
const policies = [
  // The composition root (module, entity list, index) wires everything.
  { from: element('lib-root'), allow: { to: element(...LIBRARY) } },
  // The options contract reads only common at run time; its types name each pluggable part's interface.
  { from: OPTIONS, disallow: { to: element(...LIBRARY) } },
  { from: OPTIONS, allow: { to: [OPTIONS, element('lib-common')] } },
  { from: OPTIONS, dependency: { kind: 'type' }, allow: { to: element('lib-capability', 'lib-core', 'lib-base', 'lib-common') } },
  // The test kit drives sign-in and inspects sessions the way a host's test would.
  { from: element('lib-testing'), allow: { to: [OPTIONS, element('lib-edge', 'lib-capability', 'lib-core', 'lib-base', 'lib-common')] } },
  { from: element('lib-migrations'), allow: { to: element('lib-common') } },
  // The edge knows transports and the session core, never a capability.
  { from: element('lib-edge'), allow: { to: [OPTIONS, element('lib-core', 'lib-base', 'lib-common')] } },
  // Capabilities: their controllers sit on the edge; their services use the core and below.
  { from: element('lib-capability'), allow: { to: [OPTIONS, element('lib-edge', 'lib-core', 'lib-base', 'lib-common')] } },
  // Capabilities that build on another one, each for a reason; every other pair stays apart.
  { from: capability('admin'), allow: { to: capability(['devices', 'jobs']) } }, // an admin sees a user's sessions as the user's device list shows them; logout everywhere of many sessions hands the rows to the clean-up job
  { from: capability('devices'), allow: { to: capability('logout') } }, // revoking one's own sessions from the list is logout's
  { from: capability('logout'), allow: { to: capability(['sso', 'jobs']) } }, // after a local logout, a single-sign-on session goes to the provider's end-session URL; logout everywhere of many sessions hands the rows to the clean-up job
  { from: capability('sso'), allow: { to: capability(['signin', 'credentials']) } }, // an OIDC sign-in opens sessions like any sign-in; an IdP password change is a credential change
  { from: capability('signin'), allow: { to: capability(['tokens', 'throttling']) } }, // token sign-in answers with a token pair; the email/password check is limited per account
  { from: capability('credentials'), allow: { to: capability(['tokens', 'jobs', 'throttling']) } }, // a bearer caller gets a new pair; the clean-up job goes through the outbox; the current password's check is limited per account
  { from: capability('erasure'), allow: { to: capability(['jobs', 'sso']) } }, // erasing a deleted user ends the sessions as a credential change does (the clean-up job's outbox row) and deletes the user's single sign-on links
  { from: capability('jobs'), allow: { to: capability('metrics') } }, // the worker refreshes the gauges it owns
  { from: element('lib-core'), allow: { to: [OPTIONS, element('lib-base', 'lib-common')] } },
  { from: element('lib-base'), allow: { to: [OPTIONS, element('lib-common')] } },
  { from: element('lib-common'), allow: { to: OPTIONS } },
  // Unit specs are not shipped and nothing imports them: they may set up whatever their subject needs.
  { from: { element: { type: LIBRARY }, file: { categories: 'spec' } }, allow: { to: element(...LIBRARY) } },
  // The contract files stay dependency-free, so the console can load them.
  { from: { file: { categories: 'contract' } }, disallow: { to: { file: { categories: { noneOf: ['contract'] } } } } },

  // Outside the library: only the package entries (@signoff/auth-sessions, @signoff/auth-sessions/testing).
  { from: element('app'), allow: { to: [PUBLIC_ENTRY, element('app')] } },
  { from: element('app-e2e', 'lib-e2e'), allow: { to: [PUBLIC_ENTRY, element('test-support')] } },
  { from: element('test-support'), allow: { to: [PUBLIC_ENTRY, element('app')] } },
  { from: element('bench', 'example'), allow: { to: PUBLIC_ENTRY } },
  { from: element('api-types'), allow: { to: { file: { categories: 'contract' } } } },
  { from: element('console'), allow: { to: element('api-types') } },
];

export default defineConfig(
  {
    ignores: ['**/dist/**', '**/node_modules/**', '**/.angular/**', '.data/**', 'coverage/**', 'test-artifacts/**', 'bench/.tmp/**'],
  },
  {
    linterOptions: { reportUnusedDisableDirectives: 'error' },
  },

  // JavaScript: scripts, bench drivers, jest configs.
  {
    files: ['**/*.{js,mjs,cjs}'],
    extends: [js.configs.recommended],
    languageOptions: { globals: { ...globals.node } },
    rules: {
      // A leading underscore marks a deliberately unused binding (a parameter kept for its position, a rest sibling).
      'no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_', ignoreRestSiblings: true }],
    },
  },

  // TypeScript everywhere, type-aware.
  {
    files: ['**/*.ts'],
    extends: [js.configs.recommended, tseslint.configs.recommendedTypeChecked],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      // A leading underscore marks a deliberately unused binding (a parameter kept for its position, a rest sibling).
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_', ignoreRestSiblings: true },
      ],
      // Off: ESLint's scope analysis misses uses inside parameter decorators (`@Param('id', uuidPipe)`) and reports
      // the pipes declared for them as dead stores.
      'no-useless-assignment': 'off',
      // Off: an `async` method without `await` is how an implementation keeps a Promise-returning contract (AuthUsersProvider,
      // RateLimitStorage, Nest lifecycle hooks) and turns its throws into rejections; dropping `async` would change that.
      '@typescript-eslint/require-await': 'off',
      // node:test's test() and describe() return promises the runner itself awaits.
      '@typescript-eslint/no-floating-promises': [
        'error',
        { allowForKnownSafeCalls: [{ from: 'package', package: 'node:test', name: ['test', 'it', 'describe', 'suite'] }] },
      ],
    },
  },

  // Tests: e2e specs, unit specs, the shared test support, the browser tests.
  {
    files: ['apps/*/test/**/*.ts', 'libs/*/test/**/*.ts', 'test-support/**/*.ts', '**/*.spec.ts', 'apps/admin-console-e2e/**/*.ts', 'examples/*/test/**/*.ts'],
    rules: {
      // A response body in a test is parsed JSON: the OpenAPI validator and the expectations check it at run time, so
      // tests may hold it as `any` and read it without declaring a type for every answer.
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      // Off: `expect(mock.method).toHaveBeenCalled()` passes a method unbound on purpose; jest never calls it.
      '@typescript-eslint/unbound-method': 'off',
    },
  },

  // Imports: no cycles, and the boundaries between the parts of the repository.
  {
    files: ['**/*.ts'],
    plugins: { 'import-x': importX, boundaries },
    settings: {
      // How import-x reads the TypeScript files it follows (without it, no-cycle sees no .ts dependency at all).
      'import-x/extensions': ['.ts', '.js', '.mjs', '.cjs'],
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts'] },
      'import-x/resolver-next': [createTypeScriptImportResolver({ project: tsconfigs, noWarnOnMultipleProjects: true })],
      'import/resolver': { typescript: { project: tsconfigs, noWarnOnMultipleProjects: true } },
      'boundaries/elements': elements,
      'boundaries/files': files,
      'boundaries/include': ['apps/**', 'libs/**', 'bench/**', 'examples/**', 'test-support/**', 'migrations/**'],
    },
    rules: {
      'import-x/no-cycle': ['error', { ignoreExternal: true }],
      'import-x/no-self-import': 'error',
      'boundaries/dependencies': [
        'error',
        {
          default: 'disallow',
          checkUnknownLocals: true,
          policies,
        },
      ],
    },
  },

  // The console: Angular's recommended rules for code and templates, and the templates' accessibility rules.
  {
    files: ['apps/admin-console/**/*.ts'],
    extends: [angular.configs.tsRecommended],
    processor: angular.processInlineTemplates,
    rules: {
      // Off: Angular's `Validators.required` and friends are static functions meant to be passed around unbound.
      '@typescript-eslint/unbound-method': 'off',
      '@angular-eslint/component-selector': ['error', { type: 'element', prefix: 'app', style: 'kebab-case' }],
      '@angular-eslint/directive-selector': ['error', { type: 'attribute', prefix: 'app', style: 'camelCase' }],
    },
  },
  {
    files: ['apps/admin-console/**/*.html'],
    extends: [angular.configs.templateRecommended, angular.configs.templateAccessibility],
  },

  prettier,
);
