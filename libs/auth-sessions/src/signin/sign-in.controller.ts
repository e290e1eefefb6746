import { Body, Controller, Get, HttpCode, Post, Req, Res, UseGuards, UsePipes } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { libraryValidationPipe } from '../common/validation.js';
import { CurrentAuth, Public, RateLimited, RequireSameOrigin } from '../sessions/session.decorators.js';
import type { RequestAuth } from '../sessions/request-auth.js';
import type { SignoffUser } from '../users/users-provider.js';
import { LocalAuthGuard } from './local-auth.guard.js';
import { LoginDto, ReauthDto } from './sign-in.dto.js';
import { publicUser, SignInService } from './sign-in.service.js';

@ApiTags('auth')
@Controller('auth')
@UsePipes(libraryValidationPipe)
export class SignInController {
  constructor(private readonly signIn: SignInService) {}

  @ApiOperation({ summary: 'Sign in with email and password; sets the session and XSRF cookies.' })
  @Public()
  @RequireSameOrigin()
  @RateLimited()
  @UseGuards(LocalAuthGuard)
  @Post('login')
  @HttpCode(200)
  login(@Req() req: Request & { user: SignoffUser }, @Res({ passthrough: true }) res: Response, @Body() body: LoginDto) {
    return this.signIn.completeSignIn(req, res, req.user, { rememberMe: body.rememberMe });
  }

  @ApiOperation({ summary: 'The current user and session.' })
  @Get('me')
  me(@CurrentAuth() auth: RequestAuth) {
    return {
      user: publicUser(auth.user),
      session: { id: auth.session.id, createdAt: auth.session.createdAt, expiresAt: auth.expiresAt, method: auth.method },
    };
  }

  @ApiOperation({ summary: 'Confirm the password: the session becomes fresh (step-up) and gets new secrets.' })
  @RateLimited()
  @Post('reauth')
  @HttpCode(200)
  reauth(@Req() req: Request, @Res({ passthrough: true }) res: Response, @Body() body: ReauthDto) {
    return this.signIn.reauthenticate(req, res, body.password);
  }
}
