// The test kit of @signoff/auth-sessions for host apps (`@signoff/auth-sessions/testing`): sign a test
// user in without your sign-in flow, and assert that a session has ended. Runner-agnostic: failures
// are node:assert AssertionErrors, which Jest, Vitest and node:test all report.

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
