import { Controller, Get, Param, ParseUUIDPipe, UseGuards } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiCookieAuth,
  ApiForbiddenResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { Roles } from '../sessions/session.decorators.js';
import { ADMIN_ROLE, AdminGuard } from './admin.guard.js';
import type { AdminUserShape } from './admin-user.shape.js';
import { AdminUserService } from './admin-user.service.js';
import { AdminUserDto } from './dto/admin.responses.js';

const uuidPipe = new ParseUUIDPipe({ version: undefined });

@ApiTags('admin')
@ApiCookieAuth()
@ApiBearerAuth()
@ApiUnauthorizedResponse({ description: 'Not signed in.' })
@ApiForbiddenResponse({ description: 'Signed in without the admin role.' })
@Roles(ADMIN_ROLE)
@UseGuards(AdminGuard)
@Controller('admin/users')
export class AdminUserController {
  constructor(private readonly users: AdminUserService) {}

  @ApiOperation({ summary: 'One user, with their active session count and last activity (the users list row, by id).' })
  @ApiParam({ name: 'userId', format: 'uuid' })
  @ApiOkResponse({ type: AdminUserDto })
  @ApiBadRequestResponse({ description: 'userId is not a UUID.' })
  @ApiNotFoundResponse({ description: 'The host knows no such user.' })
  @Get(':userId')
  get(@Param('userId', uuidPipe) userId: string): Promise<AdminUserShape<Date>> {
    return this.users.get(userId);
  }
}
