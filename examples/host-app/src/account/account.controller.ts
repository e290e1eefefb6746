// #region account-controller (quoted in README.md; a test keeps them equal)
import { Controller, HttpCode, Post, Req, Res, UseGuards } from '@nestjs/common';
import { AuthGuard } from '@nestjs/passport';
import { Public, RateLimited, RequireSameOrigin, SignInService, type SignoffUser } from '@signoff/auth-sessions';

/** The host's sign-in route: its own strategy first, then a Signoff session (cookies, device, audit). */
@Controller('account')
export class AccountController {
  // SignInService comes from the global AuthSessionsModule: this feature module does not import it.
  constructor(private readonly signIn: SignInService) {}

  @Public()
  @RequireSameOrigin()
  @RateLimited()
  // With `globalGuard: false`, put AuthRateLimitGuard and SessionGuard first in this list: they give
  // @RateLimited() and @RequireSameOrigin() their effect (the module names routes that lack them).
  @UseGuards(AuthGuard('local'))
  @Post('sign-in')
  @HttpCode(200)
  signInWithUsername(@Req() req: { user: SignoffUser }, @Res({ passthrough: true }) res: object) {
    return this.signIn.completeSignIn(req, res, req.user, { auditMetadata: { method: 'username' } });
  }
}
// #endregion account-controller
