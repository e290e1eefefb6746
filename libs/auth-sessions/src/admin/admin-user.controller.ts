import { Get, Param, ParseUUIDPipe, Query, UseGuards, UseInterceptors } from '@nestjs/common';
import { ApiBearerAuth, ApiCookieAuth, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { ApiErrors } from '../common/api-errors.js';
import { noInput } from '../common/validation.js';
import { Roles } from '../edge/auth.decorators.js';
import { StoreUnavailableInterceptor } from '../edge/store-unavailable.interceptor.js';
import { ADMIN_ROLE, AdminGuard } from './admin.guard.js';
import type { AdminUserShape } from './admin-user.shape.js';
import { AdminUserService } from './admin-user.service.js';
import { AdminUserDto } from './dto/admin.responses.js';
import { LibraryController } from '../edge/library-routes.guard.js';

const uuidPipe = new ParseUUIDPipe({ version: undefined });

@ApiTags('admin')
@ApiCookieAuth()
@ApiBearerAuth()
@ApiErrors(401, [403, 'Signed in without the admin role (code forbidden).'], 503)
@Roles(ADMIN_ROLE)
@UseGuards(AdminGuard)
@LibraryController('admin/users')
@UseInterceptors(StoreUnavailableInterceptor)
export class AdminUserController {
  constructor(private readonly users: AdminUserService) {}

  @ApiOperation({ summary: 'One user, with their active session count and last activity (the users list row, by id).' })
  @ApiParam({ name: 'userId', format: 'uuid' })
  @ApiOkResponse({ type: AdminUserDto })
  @ApiErrors([400, 'userId is not a UUID, or a query parameter was sent (it takes none).'], [404, 'The host knows no such user.'])
  @Get(':userId')
  get(@Param('userId', uuidPipe) userId: string, @Query(noInput) _query: undefined): Promise<AdminUserShape<Date>> {
    return this.users.get(userId);
  }
}
