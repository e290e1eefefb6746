import { CreateAuthSessions1767225600000 } from './1767225600000-create-auth-sessions.js';
import { AddRefreshTokens1767312000000 } from './1767312000000-add-refresh-tokens.js';
import { AddOutbox1767330000000 } from './1767330000000-add-outbox.js';
import { AddAuditChain1767398400000 } from './1767398400000-add-audit-chain.js';
import { SecureAuditPrune1767484800000 } from './1767484800000-secure-audit-prune.js';
import { AddSessionLocationAndOverviewIndexes1767657600000 } from './1767657600000-add-session-location-and-overview-indexes.js';
import { AddSingleSignOn1767744000000 } from './1767744000000-add-single-sign-on.js';
import { PinAuditFunctionSearchPath1767571200000 } from './1767571200000-pin-audit-function-search-path.js';
import { SignoffIndexRefreshTokensBySession1767830400000 } from './1767830400000-index-refresh-tokens-by-session.js';
import { inDataSourceSchema } from './in-data-source-schema.js';

import type { MigrationInterface } from 'typeorm';

/**
 * The library's migrations, in order: add them to your DataSource's `migrations`. Each runs in the
 * DataSource's `schema` when you set one (the schema must exist before the first run).
 */
export const AUTH_SESSIONS_MIGRATIONS: Array<new () => MigrationInterface> = [
  CreateAuthSessions1767225600000,
  AddRefreshTokens1767312000000,
  AddOutbox1767330000000,
  AddAuditChain1767398400000,
  SecureAuditPrune1767484800000,
  PinAuditFunctionSearchPath1767571200000,
  AddSessionLocationAndOverviewIndexes1767657600000,
  AddSingleSignOn1767744000000,
  SignoffIndexRefreshTokensBySession1767830400000,
].map(inDataSourceSchema);
