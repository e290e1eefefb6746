import { Body, Get, Header, HttpCode, Post, Query, Req, Res, UseGuards, UseInterceptors, UsePipes } from '@nestjs/common';
import { ApiBearerAuth, ApiConsumes, ApiCookieAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiErrors, BODY_ERRORS } from '../common/api-errors.js';
import { FreshSessionResponseDto, MeResponseDto, SignInResponseDto, TokenSignInResponseDto } from '../common/dto/api.responses.js';
import { libraryValidationPipe, noInput } from '../common/validation.js';
import { BodyMediaTypes, CsrfExempt, CurrentAuth, Public, RateLimited, RequireSameOrigin } from '../edge/auth.decorators.js';
import type { AuthenticatedRequest } from '../edge/execution-target.js';
import { HttpEdge, type HttpResponse } from '../edge/http-edge.js';
import { SessionResponses } from '../edge/session-responses.js';
import { StoreUnavailableInterceptor } from '../edge/store-unavailable.interceptor.js';
import { AccountLimitInterceptor } from '../edge/account-limit.js';
import type { RequestAuth } from '../sessions/request-auth.js';
import { TokensService } from '../tokens/tokens.service.js';
import { LocalAuthGuard } from './local-auth.guard.js';
import { LoginDto, ReauthDto } from './sign-in.dto.js';
import { publicUser, SignInService, type VerifiedCredentials } from './sign-in.service.js';
import { LibraryController } from '../edge/library-routes.guard.js';

type SignedInRequest = AuthenticatedRequest & { user: VerifiedCredentials };

@ApiTags('auth')
@LibraryController('auth')
@UsePipes(libraryValidationPipe)
@UseInterceptors(StoreUnavailableInterceptor, AccountLimitInterceptor)
export class SignInController {
  constructor(
    private readonly signIn: SignInService,
    private readonly tokens: TokensService,
    private readonly responses: SessionResponses,
    private readonly edge: HttpEdge,
  ) {}

  @ApiOperation({ summary: 'Sign in with email and password; sets the session and XSRF cookies.' })
  @ApiConsumes('application/json', 'application/x-www-form-urlencoded')
  @ApiOkResponse({ type: SignInResponseDto, description: 'Signed in; Set-Cookie carries the session and XSRF cookies.' })
  @ApiErrors(
    ...BODY_ERRORS,
    [401, 'Unknown email or wrong password (the same answer for both): code unauthenticated.'],
    [403, 'An Origin other than the public origin: code origin_not_allowed.'],
    429,
    503,
  )
  @Public()
  @RequireSameOrigin()
  @RateLimited()
  @UseGuards(LocalAuthGuard)
  @Post('login')
  @HttpCode(200)
  // The answer starts a session (its cookie, the user): never stored, whether or not the request
  // came with a session (the guard sets it only for requests that did).
  @Header('Cache-Control', 'no-store')
  async login(@Req() req: SignedInRequest, @Res({ passthrough: true }) res: HttpResponse, @Body() body: LoginDto, @Query(noInput) _query: undefined) {
    const { user, epochAtCheck } = req.user;
    const replacing = await this.signIn.sessionToReplace(req);
    const { result, issued } = await this.signIn.signIn(user, this.edge.clientContext(req), {
      rememberMe: body.rememberMe === true,
      epochAtCheck,
      ...(replacing ? { replacing } : {}),
    });
    this.responses.started(res, issued.session, issued.token);
    return result;
  }

  // Browsers never send this body by themselves, so the CSRF and Origin rules do not apply.
  @ApiOperation({ summary: 'Sign in for API and mobile clients: a JWT access token and a rotating refresh token.' })
  @ApiOkResponse({ type: TokenSignInResponseDto })
  @ApiErrors(...BODY_ERRORS, [401, 'Unknown email or wrong password (the same answer for both): code unauthenticated.'], 429, 503)
  @Public()
  @CsrfExempt()
  @BodyMediaTypes('application/json')
  @RateLimited()
  @UseGuards(LocalAuthGuard)
  @Post('token')
  @HttpCode(200)
  @Header('Cache-Control', 'no-store')
  async token(@Req() req: SignedInRequest, @Body() body: LoginDto, @Query(noInput) _query: undefined) {
    const { user, epochAtCheck } = req.user;
    return this.tokens.signIn(user, this.edge.clientContext(req), { rememberMe: body.rememberMe === true, epochAtCheck });
  }

  @ApiOperation({ summary: 'The current user and session.' })
  @ApiCookieAuth()
  @ApiBearerAuth()
  @ApiOkResponse({ type: MeResponseDto })
  @ApiErrors(400, 401, 503)
  @Get('me')
  me(@CurrentAuth() auth: RequestAuth, @Query(noInput) _query: undefined) {
    return {
      user: publicUser(auth.user),
      session: {
        id: auth.session.id,
        createdAt: auth.session.createdAt,
        expiresAt: auth.expiresAt,
        method: auth.method,
        ...(auth.session.ssoIssuer ? { sso: { issuer: auth.session.ssoIssuer } } : {}),
      },
    };
  }

  @ApiOperation({ summary: 'Confirm the password: the session becomes fresh (step-up) and gets new secrets.' })
  @ApiCookieAuth()
  @ApiBearerAuth()
  @ApiOkResponse({ type: FreshSessionResponseDto, description: 'Fresh; cookie callers get new cookies, bearer callers a new token pair.' })
  @ApiErrors(
    ...BODY_ERRORS,
    401,
    [403, 'Wrong password (code invalid_password), or the CSRF and Origin rules (csrf_token_invalid, origin_not_allowed).'],
    429,
    503,
  )
  @RateLimited()
  @Post('reauth')
  @HttpCode(200)
  async reauth(
    @CurrentAuth() auth: RequestAuth,
    @Req() req: AuthenticatedRequest,
    @Res({ passthrough: true }) res: HttpResponse,
    @Body() body: ReauthDto,
    @Query(noInput) _query: undefined,
  ) {
    const fresh = await this.signIn.reauthenticate(auth, body.password, this.edge.clientContext(req));
    if (fresh.cookie) this.responses.started(res, fresh.cookie.session, fresh.cookie.token);
    return fresh.result;
  }
}
