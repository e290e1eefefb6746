import { CreateAuthSessions1767225600000 } from './1767225600000-create-auth-sessions.js';

/** The library's migrations, in order: add them to your DataSource's `migrations`. */
export const AUTH_SESSIONS_MIGRATIONS = [CreateAuthSessions1767225600000];
