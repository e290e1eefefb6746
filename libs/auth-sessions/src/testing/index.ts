// The test kit of @signoff/auth-sessions for host apps (`@signoff/auth-sessions/testing`): sign a test
// user in without your sign-in flow, assert that a session has ended, run the audit and retention jobs now, and explain
// the admin screens' SQL on your own data. Runner-agnostic: failures are node:assert AssertionErrors,
// which Jest, Vitest and node:test all report.

export {
  signInForTest,
  signInBearerForTest,
  sessionStateForTest,
  assertSessionEnded,
  assertSessionEndedResponse,
  type TestCookieSession,
  type TestBearerSession,
  type TestSignInOptions,
} from './session-test-kit.js';
export type { SessionState } from '../sessions/session-state.js';
export { runAuditJobsForTest, type AuditJobsRunForTest } from './audit-jobs.js';
export { runRetentionJobForTest, type RetentionRunForTest } from './retention-job.js';
export { adminStatementsForTest, type AdminStatementsForTest } from './admin-statements.js';
export { signInStatementsForTest, type SignInStatementsForTest } from './sign-in-statements.js';
