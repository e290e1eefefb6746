import { Inject, Injectable } from '@nestjs/common';
import { AUTH_SESSIONS_OPTIONS } from '../auth-sessions.module-definition.js';
import type { ResolvedAuthSessionsOptions } from '../auth-sessions.options.js';
import { AuditChainRepository } from './audit-chain.repository.js';

/** The audit log's retention: the only way audit events are ever deleted. */
@Injectable()
export class AuditRetentionService {
  constructor(
    private readonly chain: AuditChainRepository,
    @Inject(AUTH_SESSIONS_OPTIONS) private readonly options: ResolvedAuthSessionsOptions,
  ) {}

  /**
   * Deletes sealed events older than `auditRetentionDays` through the database's prune, which records
   * a checkpoint of the chain at the cut and an `audit_pruned` event. Returns how many it deleted.
   */
  prune(): Promise<number> {
    return this.chain.prune(this.options.auditRetentionDays);
  }
}
