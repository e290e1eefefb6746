import type { ServerResponse } from 'node:http';
import { Get, Query, Req, Res, UseGuards, UseInterceptors, UsePipes } from '@nestjs/common';
import { ApiBearerAuth, ApiCookieAuth, ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import { ApiErrors } from '../common/api-errors.js';
import { AUDIT_EXPORT_CONTENT_TYPES } from '../audit/audit-export.js';
import { libraryValidationPipe } from '../common/validation.js';
import { CurrentAuth, Roles } from '../edge/auth.decorators.js';
import { HttpEdge, type HttpRequest, type HttpResponse } from '../edge/http-edge.js';
import { StoreUnavailableInterceptor } from '../edge/store-unavailable.interceptor.js';
import type { RequestAuth } from '../sessions/request-auth.js';
import { ADMIN_ROLE, AdminGuard } from './admin.guard.js';
import { AdminAuditService } from './admin-audit.service.js';
import { AuditPageDto } from './dto/admin.responses.js';
import { AuditExportQuery, auditFilterOf, AuditQuery } from './dto/audit.query.js';
import { LibraryController } from '../edge/library-routes.guard.js';

@ApiTags('admin')
@ApiCookieAuth()
@ApiBearerAuth()
@ApiErrors(
  [400, 'A malformed filter, limit or cursor, from not before to, or invalid text.'],
  401,
  [403, 'Signed in without the admin role (code forbidden).'],
  503,
)
@Roles(ADMIN_ROLE)
@UseGuards(AdminGuard)
@LibraryController('admin/audit')
@UsePipes(libraryValidationPipe)
@UseInterceptors(StoreUnavailableInterceptor)
export class AdminAuditController {
  constructor(
    private readonly audit: AdminAuditService,
    private readonly edge: HttpEdge,
  ) {}

  @ApiOperation({ summary: 'Audit events, newest first, keyset-paged: pass nextCursor as ?cursor= for the next page. The read is audited.' })
  @ApiOkResponse({ type: AuditPageDto })
  @Get()
  list(@CurrentAuth() auth: RequestAuth, @Query() query: AuditQuery, @Req() req: HttpRequest) {
    const page = { limit: query.limit ?? 50, ...(query.cursor !== undefined ? { cursor: query.cursor } : {}) };
    return this.audit.list(auth, auditFilterOf(query), page, this.edge.clientContext(req), query.email);
  }

  @ApiOperation({ summary: 'Every matching audit event, oldest first, streamed as CSV or NDJSON. The read is audited.' })
  @ApiProduces(AUDIT_EXPORT_CONTENT_TYPES.csv, AUDIT_EXPORT_CONTENT_TYPES.ndjson)
  @ApiOkResponse({ description: 'CSV with a header line, or one AuditEvent JSON object per line.', schema: { type: 'string' } })
  @Get('export')
  async export(@CurrentAuth() auth: RequestAuth, @Query() query: AuditExportQuery, @Req() req: HttpRequest, @Res() res: HttpResponse): Promise<void> {
    const filter = auditFilterOf(query);
    const contentType = AUDIT_EXPORT_CONTENT_TYPES[query.format];
    let raw: ServerResponse | undefined;
    try {
      await this.audit.export(
        auth,
        filter,
        query.format,
        this.edge.clientContext(req),
        (chunk) => {
          if (!raw) {
            // The first byte is on its way: from here on the answer is written piece by piece.
            raw = this.edge.takeOver(res);
            raw.statusCode = 200;
            raw.setHeader('Content-Type', contentType);
            raw.setHeader('Content-Disposition', `attachment; filename="audit-${new Date().toISOString().replaceAll(':', '')}.${query.format}"`);
            raw.setHeader('Cache-Control', 'no-store');
          }
          return writeChunk(raw, chunk);
        },
        query.email,
      );
    } catch (error) {
      // Once bytes are out the status cannot change: cut the stream so the client sees it incomplete.
      if (raw) {
        raw.destroy(error as Error);
        return;
      }
      throw error;
    }
    if (raw) {
      raw.end();
      return;
    }
    this.edge.setHeader(res, 'Content-Type', contentType);
    this.edge.setHeader(res, 'Cache-Control', 'no-store');
    this.edge.reply(res, '', 200);
  }
}

// Resolves once the chunk is handed to the socket, so a slow reader slows the export instead of filling memory.
function writeChunk(res: ServerResponse, chunk: string): Promise<void> {
  if (res.destroyed) return Promise.reject(new Error('the client closed the export'));
  if (res.write(chunk)) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const onDrain = (): void => {
      res.off('close', onClose);
      resolve();
    };
    const onClose = (): void => {
      res.off('drain', onDrain);
      reject(new Error('the client closed the export'));
    };
    res.once('drain', onDrain);
    res.once('close', onClose);
  });
}
