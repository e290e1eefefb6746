import { Inject, Injectable } from '@nestjs/common';
import { AUTH_SESSIONS_OPTIONS } from '../auth-sessions.module-definition.js';
import type { ResolvedAuthSessionsOptions } from '../auth-sessions.options.js';
import type { AuditFilter } from '../audit/audit-event.repository.js';
import type { AuditEventResponse } from '../audit/audit-event.response.js';
import type { AuditExportFormat } from '../audit/audit-export.js';
import { AuditLogService } from '../audit/audit-log.service.js';
import type { ClientContext } from '../common/client-context.js';
import type { RequestAuth } from '../sessions/request-auth.js';
import { type KnownUsers, withEmailFilter, withUsers } from './audit-users.js';

/** Reading the audit log as an admin: every read is itself an `audit_read` event, so reading the trail leaves a trail. */
@Injectable()
export class AdminAuditService {
  constructor(
    private readonly auditLog: AuditLogService,
    @Inject(AUTH_SESSIONS_OPTIONS) private readonly options: ResolvedAuthSessionsOptions,
  ) {}

  /**
   * One page of events, newest first, each with its user as the host knows them now; see
   * `AuditLogService.list`. `email` narrows to the user whose current email it is.
   */
  async list(
    admin: RequestAuth,
    filter: AuditFilter,
    page: { limit: number; cursor?: string },
    client: ClientContext,
    email?: string,
  ): Promise<{ items: AuditEventResponse[]; nextCursor: string | null }> {
    const narrowed = await withEmailFilter(this.options.users, filter, email);
    const result = narrowed ? await this.auditLog.list(narrowed, page.limit, page.cursor) : { items: [], nextCursor: null };
    await this.recordRead(admin, client, {
      filter: describe(narrowed ?? filter, email),
      limit: page.limit,
      returned: result.items.length,
      paged: page.cursor !== undefined,
    });
    return { items: await withUsers(this.options.users, result.items), nextCursor: result.nextCursor };
  }

  /** Streams every matching event to `write`, each with its user as the list gives it; the read is recorded before the first byte. */
  async export(
    admin: RequestAuth,
    filter: AuditFilter,
    format: AuditExportFormat,
    client: ClientContext,
    write: (chunk: string) => Promise<void>,
    email?: string,
  ): Promise<number> {
    const narrowed = await withEmailFilter(this.options.users, filter, email);
    await this.recordRead(admin, client, { filter: describe(narrowed ?? filter, email), export: format });
    // An email nobody has matches nothing: an empty export (the CSV header only).
    const known: KnownUsers = new Map();
    return this.auditLog.export(narrowed ?? { ...filter, to: new Date(0) }, format, write, (events) => withUsers(this.options.users, events, known));
  }

  private recordRead(admin: RequestAuth, client: ClientContext, metadata: Record<string, unknown>): Promise<void> {
    return this.auditLog.recordAlone({
      type: 'audit_read',
      actor: { id: admin.user.id, email: admin.user.email },
      userId: null,
      sessionId: admin.session.id,
      client,
      metadata,
    });
  }
}

function describe(filter: AuditFilter, email?: string): Record<string, unknown> {
  return {
    ...(email ? { email } : {}),
    ...(filter.userId ? { userId: filter.userId } : {}),
    ...(filter.type ? { type: filter.type } : {}),
    ...(filter.from ? { from: filter.from.toISOString() } : {}),
    ...(filter.to ? { to: filter.to.toISOString() } : {}),
  };
}
