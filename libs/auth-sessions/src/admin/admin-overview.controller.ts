import { Get, Query, Req, UseGuards, UseInterceptors } from '@nestjs/common';
import { ApiBearerAuth, ApiCookieAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiErrors } from '../common/api-errors.js';
import { noInput } from '../common/validation.js';
import { CurrentAuth, Roles } from '../edge/auth.decorators.js';
import { HttpEdge, type HttpRequest } from '../edge/http-edge.js';
import { StoreUnavailableInterceptor } from '../edge/store-unavailable.interceptor.js';
import type { RequestAuth } from '../sessions/request-auth.js';
import { ADMIN_ROLE, AdminGuard } from './admin.guard.js';
import type { AdminOverviewShape } from './admin-overview.shape.js';
import { AdminOverviewService } from './admin-overview.service.js';
import { AdminOverviewDto } from './dto/admin-overview.responses.js';
import { LibraryController } from '../edge/library-routes.guard.js';

@ApiTags('admin')
@ApiCookieAuth()
@ApiBearerAuth()
@ApiErrors(400, 401, [403, 'Signed in without the admin role (code forbidden).'], 503)
@Roles(ADMIN_ROLE)
@UseGuards(AdminGuard)
@LibraryController('admin/overview')
@UseInterceptors(StoreUnavailableInterceptor)
export class AdminOverviewController {
  constructor(
    private readonly overviews: AdminOverviewService,
    private readonly edge: HttpEdge,
  ) {}

  @ApiOperation({
    summary:
      'The admin landing page in one answer: active sessions now and per day over the last 30 UTC days, sign-ins and sign-outs ' +
      'per day by reason, active sessions by device type and by place, the latest revocations. Index-only reads sized by the ' +
      'last 30 days, whatever the history. The read is audited (audit_read), as it shows audit events.',
  })
  @ApiOkResponse({ type: AdminOverviewDto })
  @Get()
  get(@CurrentAuth() auth: RequestAuth, @Req() req: HttpRequest, @Query(noInput) _query: undefined): Promise<AdminOverviewShape<Date>> {
    return this.overviews.overview({ userId: auth.user.id, email: auth.user.email, sessionId: auth.session.id }, this.edge.clientContext(req));
  }
}
