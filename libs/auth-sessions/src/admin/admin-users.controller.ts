import { Get, Query, UseGuards, UseInterceptors, UsePipes } from '@nestjs/common';
import { ApiBearerAuth, ApiCookieAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiErrors } from '../common/api-errors.js';
import { libraryValidationPipe } from '../common/validation.js';
import { Roles } from '../edge/auth.decorators.js';
import { StoreUnavailableInterceptor } from '../edge/store-unavailable.interceptor.js';
import { ADMIN_ROLE, AdminGuard } from './admin.guard.js';
import { type AdminUsersPage, AdminUsersService } from './admin-users.service.js';
import { AdminUsersPageDto } from './dto/admin.responses.js';
import { ListUsersQuery } from './dto/list-users.query.js';
import { LibraryController } from '../edge/library-routes.guard.js';

@ApiTags('admin')
@ApiCookieAuth()
@ApiBearerAuth()
@ApiErrors(401, [403, 'Signed in without the admin role (code forbidden).'], 503)
@Roles(ADMIN_ROLE)
@UseGuards(AdminGuard)
@LibraryController('admin/users')
@UsePipes(libraryValidationPipe)
@UseInterceptors(StoreUnavailableInterceptor)
export class AdminUsersController {
  constructor(private readonly users: AdminUsersService) {}

  @ApiOperation({ summary: 'Search users (case-insensitive email substring), with their active session count and last activity.' })
  @ApiOkResponse({ type: AdminUsersPageDto })
  @ApiErrors([400, 'A malformed search, page or pageSize (whole numbers; pageSize at most 100), or invalid text.'])
  @Get()
  list(@Query() query: ListUsersQuery): Promise<AdminUsersPage> {
    return this.users.search({ search: query.search, page: query.page ?? 1, pageSize: query.pageSize ?? 20 });
  }
}
