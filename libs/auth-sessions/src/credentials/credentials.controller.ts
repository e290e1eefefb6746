import { Body, Controller, HttpCode, Post, Req, Res, UsePipes } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { libraryValidationPipe } from '../common/validation.js';
import { RateLimited } from '../sessions/session.decorators.js';
import { ChangeEmailDto, ChangePasswordDto, SecurityReportDto } from './credentials.dto.js';
import { CredentialsService } from './credentials.service.js';

@ApiTags('auth')
@Controller('auth')
@UsePipes(libraryValidationPipe)
export class CredentialsController {
  constructor(private readonly credentials: CredentialsService) {}

  @ApiOperation({ summary: 'Change the password: every other session ends at once; this one is kept with new secrets.' })
  @RateLimited()
  @Post('password')
  @HttpCode(200)
  changePassword(@Req() req: Request, @Res({ passthrough: true }) res: Response, @Body() body: ChangePasswordDto) {
    return this.credentials.changePassword(req, res, body.currentPassword, body.newPassword);
  }

  @ApiOperation({ summary: 'Change the email: every other session ends at once; this one is kept with new secrets.' })
  @RateLimited()
  @Post('email')
  @HttpCode(200)
  changeEmail(@Req() req: Request, @Res({ passthrough: true }) res: Response, @Body() body: ChangeEmailDto) {
    return this.credentials.changeEmail(req, res, body.password, body.newEmail);
  }

  @ApiOperation({ summary: '"This wasn\'t me": ends every session of the user, this one included.' })
  @RateLimited()
  @Post('security-report')
  @HttpCode(200)
  reportSecurityConcern(@Req() req: Request, @Res({ passthrough: true }) res: Response, @Body() body: SecurityReportDto) {
    return this.credentials.reportSecurityConcern(req, res, body.note);
  }
}
