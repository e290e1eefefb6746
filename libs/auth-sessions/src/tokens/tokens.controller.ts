import { Body, Controller, Header, HttpCode, Post, Req, UseGuards, UsePipes } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { clientContextOf } from '../common/client-context.js';
import { libraryValidationPipe } from '../common/validation.js';
import { CsrfExempt, Public, RateLimited } from '../sessions/session.decorators.js';
import { LocalAuthGuard } from '../signin/local-auth.guard.js';
import { LoginDto } from '../signin/sign-in.dto.js';
import type { SignoffUser } from '../users/users-provider.js';
import { RefreshTokenDto } from './tokens.dto.js';
import { TokensService } from './tokens.service.js';

// Browsers never send these bodies by themselves, so the CSRF and Origin rules do not apply.
@ApiTags('tokens')
@Controller('auth/token')
@Public()
@CsrfExempt()
@UsePipes(libraryValidationPipe)
export class TokensController {
  constructor(private readonly tokens: TokensService) {}

  @ApiOperation({ summary: 'Sign in for API and mobile clients: a JWT access token and a rotating refresh token.' })
  @RateLimited()
  @UseGuards(LocalAuthGuard)
  @Post()
  @HttpCode(200)
  @Header('Cache-Control', 'no-store')
  signIn(@Req() req: Request & { user: SignoffUser }, @Body() body: LoginDto) {
    return this.tokens.signIn(req.user, clientContextOf(req), body.rememberMe === true);
  }

  @ApiOperation({ summary: 'Rotate a refresh token: a new pair; a replayed spent token ends the session.' })
  @RateLimited()
  @Post('refresh')
  @HttpCode(200)
  @Header('Cache-Control', 'no-store')
  refresh(@Req() req: Request, @Body() body: RefreshTokenDto) {
    return this.tokens.refresh(body.refresh_token, clientContextOf(req));
  }

  @ApiOperation({ summary: "End a refresh token's session (200 also for an unknown token, RFC 7009)." })
  @Post('revoke')
  @HttpCode(200)
  @Header('Cache-Control', 'no-store')
  async revoke(@Req() req: Request, @Body() body: RefreshTokenDto): Promise<Record<string, never>> {
    await this.tokens.revoke(body.refresh_token, clientContextOf(req));
    return {};
  }
}
