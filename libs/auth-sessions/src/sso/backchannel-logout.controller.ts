import { BadRequestException, Header, HttpCode, HttpStatus, Post, Req, UseInterceptors } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiErrors } from '../common/api-errors.js';
import { BodyMediaTypes, CsrfExempt, Public } from '../edge/auth.decorators.js';
import { ANY_BODY, isFormPost } from '../edge/request-body.js';
import { HttpEdge, type HttpRequest } from '../edge/http-edge.js';
import { StoreUnavailableInterceptor } from '../edge/store-unavailable.interceptor.js';
import { ApiSpecError, BackchannelLogoutErrorDto, SSO_OFF, SSO_UNAVAILABLE } from './dto/sso.responses.js';
import { IdpLogoutService } from './idp-logout.service.js';
import { IdpTokenVerifier } from './idp-token.verifier.js';
import { OidcProviders } from './oidc-providers.js';
import { IdpTokenRejectedError } from './sso.errors.js';
import { LibraryController } from '../edge/library-routes.guard.js';

/**
 * OpenID Connect Back-Channel Logout 1.0 (§2.5–§2.8): the provider posts a `logout_token`; a valid
 * one ends the matching sessions on every instance before the 200 is sent. Server to server: no
 * cookies, so exempt from the XSRF and Origin rules; the signed token is the only authentication.
 */
@ApiTags('sso')
@LibraryController('auth/oidc')
@UseInterceptors(StoreUnavailableInterceptor)
export class BackchannelLogoutController {
  constructor(
    private readonly providers: OidcProviders,
    private readonly verifier: IdpTokenVerifier,
    private readonly idpLogout: IdpLogoutService,
    private readonly edge: HttpEdge,
  ) {}

  @ApiOperation({ summary: 'Back-channel logout: form field logout_token; 200 (also when nothing matched) or 400 {error, error_description}.' })
  @ApiOkResponse({ description: 'The matching sessions ended on every instance (also when none matched).' })
  @ApiSpecError(
    400,
    BackchannelLogoutErrorDto,
    'The logout token was refused (OpenID Connect Back-Channel Logout body), or more session cookies than the library reads; nothing ended.',
  )
  @ApiErrors(SSO_OFF, 413, 415, SSO_UNAVAILABLE)
  @Public()
  @CsrfExempt()
  // Checks its body's media type itself, to answer in its specification's error shape.
  @BodyMediaTypes(ANY_BODY)
  @Post('backchannel-logout')
  @HttpCode(HttpStatus.OK)
  @Header('Cache-Control', 'no-store')
  async backchannelLogout(@Req() req: HttpRequest): Promise<void> {
    this.providers.defaultProvider();
    try {
      if (!isFormPost(req)) throw new IdpTokenRejectedError('the body must be application/x-www-form-urlencoded with a logout_token');
      const body = req.body as Record<string, unknown> | undefined;
      const token = await this.verifier.verifyLogoutToken(body?.['logout_token']);
      await this.idpLogout.endProviderSessions({
        token,
        kind: 'logout',
        source: 'backchannel_logout',
        sid: token.sid,
        subject: token.subject,
        client: this.edge.clientContext(req),
      });
    } catch (error) {
      if (error instanceof IdpTokenRejectedError) {
        throw new BadRequestException({ error: 'invalid_request', error_description: error.description });
      }
      throw error;
    }
  }
}
