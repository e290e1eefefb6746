import { CreateAuthSessions1767225600000 } from './1767225600000-create-auth-sessions.js';
import { AddRefreshTokens1767312000000 } from './1767312000000-add-refresh-tokens.js';
import { AddOutbox1767330000000 } from './1767330000000-add-outbox.js';
import { AddAuditChain1767398400000 } from './1767398400000-add-audit-chain.js';
import { AddSingleSignOn1767484800000 } from './1767484800000-add-single-sign-on.js';

import type { MigrationInterface } from 'typeorm';

/** The library's migrations, in order: add them to your DataSource's `migrations`. */
export const AUTH_SESSIONS_MIGRATIONS: Array<new () => MigrationInterface> = [CreateAuthSessions1767225600000, AddRefreshTokens1767312000000, AddOutbox1767330000000, AddAuditChain1767398400000, AddSingleSignOn1767484800000];
