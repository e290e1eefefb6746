import { Injectable } from '@nestjs/common';
import type { AuditFilter } from '../audit/audit-event.repository.js';
import type { AuditEventResponse } from '../audit/audit-event.response.js';
import type { AuditExportFormat } from '../audit/audit-export.js';
import { AuditLogService } from '../audit/audit-log.service.js';
import type { ClientContext } from '../common/client-context.js';
import type { RequestAuth } from '../sessions/request-auth.js';

/** Reading the audit log as an admin: every read is itself an `audit_read` event, so reading the trail leaves a trail. */
@Injectable()
export class AdminAuditService {
  constructor(private readonly auditLog: AuditLogService) {}

  /** One page of events, newest first; see `AuditLogService.list`. */
  async list(
    admin: RequestAuth,
    filter: AuditFilter,
    page: { limit: number; cursor?: string },
    client: ClientContext,
  ): Promise<{ items: AuditEventResponse[]; nextCursor: string | null }> {
    const result = await this.auditLog.list(filter, page.limit, page.cursor);
    await this.recordRead(admin, client, { filter: describe(filter), limit: page.limit, returned: result.items.length, paged: page.cursor !== undefined });
    return result;
  }

  /** Streams every matching event to `write`; the read is recorded before the first byte. */
  async export(admin: RequestAuth, filter: AuditFilter, format: AuditExportFormat, client: ClientContext, write: (chunk: string) => Promise<void>): Promise<number> {
    await this.recordRead(admin, client, { filter: describe(filter), export: format });
    return this.auditLog.export(filter, format, write);
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

function describe(filter: AuditFilter): Record<string, unknown> {
  return {
    ...(filter.userId ? { userId: filter.userId } : {}),
    ...(filter.type ? { type: filter.type } : {}),
    ...(filter.from ? { from: filter.from.toISOString() } : {}),
    ...(filter.to ? { to: filter.to.toISOString() } : {}),
  };
}
