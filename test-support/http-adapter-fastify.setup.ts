// setupFiles of the `e2e-fastify` Jest project: every app the specs start runs on Fastify
// (test-support/api-process.ts reads this), so the same spec proves the contract on both platforms.
process.env['SIGNOFF_TEST_HTTP_ADAPTER'] = 'fastify';
