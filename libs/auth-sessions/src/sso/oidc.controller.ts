import { BadRequestException, Get, HttpCode, HttpStatus, Inject, Query, Req, Res, UseInterceptors, UsePipes } from '@nestjs/common';
import { ApiFoundResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { ApiErrors } from '../common/api-errors.js';
import { AUTH_SESSIONS_OPTIONS } from '../auth-sessions.module-definition.js';
import type { ResolvedAuthSessionsOptions } from '../auth-sessions.options.js';
import { Public, RateLimited } from '../edge/auth.decorators.js';
import { type AuthenticatedRequest, requestAuthOf } from '../edge/execution-target.js';
import { type CookieAttributes, HttpEdge, type HttpRequest, type HttpResponse } from '../edge/http-edge.js';
import { SessionResponses } from '../edge/session-responses.js';
import { StoreUnavailableInterceptor } from '../edge/store-unavailable.interceptor.js';
import { OidcLoginQuery } from './dto/sso.queries.js';
import { OidcStatusDto, SSO_OFF, SSO_UNAVAILABLE } from './dto/sso.responses.js';
import { libraryValidationPipe, noInput } from '../common/validation.js';
import { OidcProviders } from './oidc-providers.js';
import { OidcSignInService, SIGN_IN_STATE_SECONDS } from './oidc-sign-in.service.js';
import { RpLogoutService } from './rp-logout.service.js';
import { SessionRejectedError } from '../sessions/session.errors.js';
import { SsoDisabledError, SsoSignInFailedError } from './sso.errors.js';
import { LibraryController } from '../edge/library-routes.guard.js';

const FAILURE_REDIRECT = '/login?error=sso_failed';

/** What the browser's two sign-in routes (login, callback) can answer besides their redirect. */
const SIGN_IN_ERRORS: Parameters<typeof ApiErrors> = [400, SSO_OFF, 429, SSO_UNAVAILABLE];

/**
 * Single sign-on in the browser: `login` sends it to the provider, `callback` opens the session,
 * `status` tells the console whether to offer SSO, `logged-out` recognises the `state` of an
 * RP-initiated logout. Every route is 404 when SSO is off.
 */
@ApiTags('sso')
@LibraryController('auth/oidc')
@UseInterceptors(StoreUnavailableInterceptor)
@UsePipes(libraryValidationPipe)
export class OidcController {
  constructor(
    private readonly providers: OidcProviders,
    private readonly signIn: OidcSignInService,
    private readonly rpLogout: RpLogoutService,
    private readonly responses: SessionResponses,
    private readonly edge: HttpEdge,
    @Inject(AUTH_SESSIONS_OPTIONS) private readonly options: ResolvedAuthSessionsOptions,
  ) {}

  // Unlike the other SSO routes this one answers when SSO is off: a console asks it on every visit to the
  // login page, and a 404 there would be an error in every browser's console for a feature that is simply off.
  @ApiOperation({ summary: 'Whether single sign-on is offered here (enabled) and whether the provider is reachable now (available).' })
  @ApiOkResponse({ type: OidcStatusDto })
  @ApiErrors(400, 503)
  @Public()
  @Get('status')
  status(@Res({ passthrough: true }) res: HttpResponse, @Query(noInput) _query: undefined): OidcStatusDto {
    this.edge.setHeader(res, 'Cache-Control', 'no-store');
    if (!this.providers.isEnabled) return { enabled: false, available: false };
    return { enabled: true, available: this.providers.ifReady(this.providers.defaultProvider()) !== null };
  }

  @ApiOperation({
    summary:
      'Start single sign-on: 302 to the provider (code flow, PKCE S256, state, nonce). With reauth=1, step-up for the current SSO session: the provider signs the same user in again and the callback makes that session fresh (400 for a session that did not come from the provider). 503 while the provider is unreachable.',
  })
  @ApiFoundResponse({
    description: "To the provider's authorization endpoint; sets the single-use sign-in state cookie.",
    headers: { Location: { schema: { type: 'string' } } },
  })
  @ApiErrors(...SIGN_IN_ERRORS, [401, 'reauth=1 without a cookie session.'])
  @Public()
  @RateLimited()
  @Get('login')
  async login(@Req() req: AuthenticatedRequest, @Res() res: HttpResponse, @Query() { returnTo, reauth }: OidcLoginQuery): Promise<void> {
    this.providers.defaultProvider();
    // Step-up of a cookie session only: a bearer client has no browser to send to the provider.
    const auth = requestAuthOf(req);
    const reauthFor = reauth === '1' ? (auth?.method === 'cookie' ? auth : null) : undefined;
    if (reauthFor === null) throw new SessionRejectedError('unauthenticated');
    const started = await this.signIn.start(returnTo, this.siblingUrl(req, 'callback'), reauthFor);
    this.edge.setHeader(res, 'Cache-Control', 'no-store');
    this.edge.setCookie(res, this.stateCookieName, started.sealedState, { ...this.stateCookieAttributes(), maxAge: SIGN_IN_STATE_SECONDS });
    this.edge.redirect(res, HttpStatus.FOUND, started.authorizationUrl);
  }

  @ApiOperation({
    summary: "The provider's redirect: opens the session (cookies as a login) and 303s to returnTo or /devices; any failure 303s to /login?error=sso_failed.",
  })
  @ApiResponse({
    status: HttpStatus.SEE_OTHER,
    description: 'To returnTo (or /devices) with the session cookies, or to /login?error=sso_failed.',
    headers: { Location: { schema: { type: 'string' } } },
  })
  @ApiErrors(...SIGN_IN_ERRORS)
  @Public()
  @RateLimited()
  @Get('callback')
  async callback(@Req() req: AuthenticatedRequest, @Res() res: HttpResponse): Promise<void> {
    this.providers.defaultProvider();
    const sealedState = this.edge.cookie(req, this.stateCookieName);
    // The sign-in state is single use whatever happens next.
    this.edge.setCookie(res, this.stateCookieName, '', { ...this.stateCookieAttributes(), maxAge: 0 });
    this.edge.setHeader(res, 'Cache-Control', 'no-store');
    const callbackUrl = new URL(requestPath(req), this.options.publicOrigin);
    try {
      const finished = await this.signIn.finish(callbackUrl, sealedState, this.edge.clientContext(req), requestAuthOf(req));
      if (finished.kind === 'signed-in') this.responses.started(res, finished.issued.session, finished.issued.token);
      else if (finished.fresh.cookie) this.responses.started(res, finished.fresh.cookie.session, finished.fresh.cookie.token);
      this.edge.redirect(res, HttpStatus.SEE_OTHER, finished.returnTo);
    } catch (error) {
      if (!(error instanceof SsoSignInFailedError)) throw error;
      const providerError = error.providerError ? `&provider_error=${encodeURIComponent(error.providerError)}` : '';
      this.edge.redirect(res, HttpStatus.SEE_OTHER, `${FAILURE_REDIRECT}${providerError}`);
    }
  }

  @ApiOperation({ summary: 'Whether the state of a post-logout redirect is one this server sent (204), else 400 (ignored, logged).' })
  @ApiNoContentResponse({ description: 'The state is one this server sent with an RP-initiated logout.' })
  @ApiErrors([400, 'The state is missing, malformed or not one this server sent, or more session cookies than the library reads.'], SSO_OFF, 503)
  @Public()
  @Get('logged-out')
  @HttpCode(HttpStatus.NO_CONTENT)
  async loggedOut(@Query('state') state: unknown, @Res({ passthrough: true }) res: HttpResponse): Promise<void> {
    if (!this.providers.isEnabled) throw new SsoDisabledError();
    this.edge.setHeader(res, 'Cache-Control', 'no-store');
    if (!(await this.rpLogout.isLogoutState(state))) {
      throw new BadRequestException({ statusCode: HttpStatus.BAD_REQUEST, message: 'This is not the state of a logout this server started; ignored.' });
    }
  }

  private get stateCookieName(): string {
    return this.options.cookieSecure ? '__Host-signoff-sso' : 'signoff-sso';
  }

  private stateCookieAttributes(): CookieAttributes {
    // Lax: the provider's redirect back is a top-level GET navigation from another site.
    return { path: '/', httpOnly: true, sameSite: 'lax', ...(this.options.cookieSecure ? { secure: true } : {}) };
  }

  /** Our own URL for a sibling route (`callback` next to `login`), on the public origin, under whatever prefix the host uses. */
  private siblingUrl(req: HttpRequest, route: string): string {
    const path = new URL(requestPath(req), this.options.publicOrigin).pathname.replace(/\/[^/]*$/, `/${route}`);
    return `${this.options.publicOrigin}${path}`;
  }
}

// Express mounts nothing under the app, but keeps the full path in originalUrl either way; Fastify has url.
function requestPath(req: HttpRequest): string {
  const path = (req as { originalUrl?: unknown }).originalUrl ?? req.url ?? '/';
  return typeof path === 'string' && path.startsWith('/') && !path.startsWith('//') ? path : '/';
}
