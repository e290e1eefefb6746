import { Controller, Get, Query, Req, Res, UseGuards, UsePipes } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiCookieAuth,
  ApiForbiddenResponse,
  ApiOkResponse,
  ApiOperation,
  ApiProduces,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { AUDIT_EXPORT_CONTENT_TYPES } from '../audit/audit-export.js';
import { clientContextOf } from '../common/client-context.js';
import { libraryValidationPipe } from '../common/validation.js';
import type { RequestAuth } from '../sessions/request-auth.js';
import { CurrentAuth, Roles } from '../sessions/session.decorators.js';
import { ADMIN_ROLE, AdminGuard } from './admin.guard.js';
import { AdminAuditService } from './admin-audit.service.js';
import { AuditPageDto } from './dto/admin.responses.js';
import { AuditExportQuery, auditFilterOf, AuditQuery } from './dto/audit.query.js';

@ApiTags('admin')
@ApiCookieAuth()
@ApiBearerAuth()
@ApiUnauthorizedResponse({ description: 'Not signed in.' })
@ApiForbiddenResponse({ description: 'Signed in without the admin role.' })
@ApiBadRequestResponse({ description: 'A malformed filter, limit or cursor, or from not before to.' })
@Roles(ADMIN_ROLE)
@UseGuards(AdminGuard)
@Controller('admin/audit')
@UsePipes(libraryValidationPipe)
export class AdminAuditController {
  constructor(private readonly audit: AdminAuditService) {}

  @ApiOperation({ summary: 'Audit events, newest first, keyset-paged: pass nextCursor as ?cursor= for the next page. The read is audited.' })
  @ApiOkResponse({ type: AuditPageDto })
  @Get()
  list(@CurrentAuth() auth: RequestAuth, @Query() query: AuditQuery, @Req() req: Request) {
    const page = { limit: query.limit ?? 50, ...(query.cursor !== undefined ? { cursor: query.cursor } : {}) };
    return this.audit.list(auth, auditFilterOf(query), page, clientContextOf(req), query.email);
  }

  @ApiOperation({ summary: 'Every matching audit event, oldest first, streamed as CSV or NDJSON. The read is audited.' })
  @ApiProduces(AUDIT_EXPORT_CONTENT_TYPES.csv, AUDIT_EXPORT_CONTENT_TYPES.ndjson)
  @ApiOkResponse({ description: 'CSV with a header line, or one AuditEvent JSON object per line.' })
  @Get('export')
  async export(@CurrentAuth() auth: RequestAuth, @Query() query: AuditExportQuery, @Req() req: Request, @Res() res: Response): Promise<void> {
    const filter = auditFilterOf(query);
    let started = false;
    try {
      await this.audit.export(auth, filter, query.format, clientContextOf(req), (chunk) => {
        if (!started) {
          started = true;
          res.status(200);
          res.setHeader('Content-Type', AUDIT_EXPORT_CONTENT_TYPES[query.format]);
          res.setHeader('Content-Disposition', `attachment; filename="audit-${new Date().toISOString().replaceAll(':', '')}.${query.format}"`);
          res.setHeader('Cache-Control', 'no-store');
        }
        return writeChunk(res, chunk);
      }, query.email);
    } catch (error) {
      // Once bytes are out the status cannot change: cut the stream so the client sees it incomplete.
      if (started) {
        res.destroy(error as Error);
        return;
      }
      throw error;
    }
    if (!started) res.status(200).type(AUDIT_EXPORT_CONTENT_TYPES[query.format]);
    res.end();
  }
}

// Resolves once the chunk is handed to the socket, so a slow reader slows the export instead of filling memory.
function writeChunk(res: Response, chunk: string): Promise<void> {
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
