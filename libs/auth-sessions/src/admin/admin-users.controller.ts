import { Controller, Get, Query, UseGuards, UseInterceptors, UsePipes } from '@nestjs/common';
import { ApiBearerAuth, ApiCookieAuth, ApiForbiddenResponse, ApiOkResponse, ApiOperation, ApiTags, ApiUnauthorizedResponse } from '@nestjs/swagger';
import { libraryValidationPipe } from '../common/validation.js';
import { Roles } from '../edge/auth.decorators.js';
import { StoreUnavailableInterceptor } from '../edge/store-unavailable.interceptor.js';
import { ADMIN_ROLE, AdminGuard } from './admin.guard.js';
import { type AdminUsersPage, AdminUsersService } from './admin-users.service.js';
import { AdminUsersPageDto } from './dto/admin.responses.js';
import { ListUsersQuery } from './dto/list-users.query.js';

@ApiTags('admin')
@ApiCookieAuth()
@ApiBearerAuth()
@ApiUnauthorizedResponse({ description: 'Not signed in.' })
@ApiForbiddenResponse({ description: 'Signed in without the admin role.' })
@Roles(ADMIN_ROLE)
@UseGuards(AdminGuard)
@Controller('admin/users')
@UsePipes(libraryValidationPipe)
@UseInterceptors(StoreUnavailableInterceptor)
export class AdminUsersController {
  constructor(private readonly users: AdminUsersService) {}

  @ApiOperation({ summary: 'Search users (case-insensitive email substring), with their active session count and last activity.' })
  @ApiOkResponse({ type: AdminUsersPageDto })
  @Get()
  list(@Query() query: ListUsersQuery): Promise<AdminUsersPage> {
    return this.users.search({ search: query.search, page: query.page ?? 1, pageSize: query.pageSize ?? 20 });
  }
}
