import { Controller, Get, Req, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiCookieAuth, ApiForbiddenResponse, ApiOkResponse, ApiOperation, ApiTags, ApiUnauthorizedResponse } from '@nestjs/swagger';
import type { Request } from 'express';
import { clientContextOf } from '../common/client-context.js';
import type { RequestAuth } from '../sessions/request-auth.js';
import { CurrentAuth, Roles } from '../sessions/session.decorators.js';
import { ADMIN_ROLE, AdminGuard } from './admin.guard.js';
import type { AdminOverviewShape } from './admin-overview.shape.js';
import { AdminOverviewService } from './admin-overview.service.js';
import { AdminOverviewDto } from './dto/admin-overview.responses.js';

@ApiTags('admin')
@ApiCookieAuth()
@ApiBearerAuth()
@ApiUnauthorizedResponse({ description: 'Not signed in.' })
@ApiForbiddenResponse({ description: 'Signed in without the admin role.' })
@Roles(ADMIN_ROLE)
@UseGuards(AdminGuard)
@Controller('admin/overview')
export class AdminOverviewController {
  constructor(private readonly overviews: AdminOverviewService) {}

  @ApiOperation({
    summary:
      'The admin landing page in one answer: active sessions now and per day over the last 30 UTC days, sign-ins and sign-outs ' +
      'per day by reason, active sessions by device type and by place, the latest revocations. Index-only reads sized by the ' +
      'last 30 days, whatever the history. The read is audited (audit_read), as it shows audit events.',
  })
  @ApiOkResponse({ type: AdminOverviewDto })
  @Get()
  get(@CurrentAuth() auth: RequestAuth, @Req() req: Request): Promise<AdminOverviewShape<Date>> {
    return this.overviews.overview({ userId: auth.user.id, email: auth.user.email, sessionId: auth.session.id }, clientContextOf(req));
  }
}
