import { createHash } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import * as client from 'openid-client';
import { AUTH_SESSIONS_OPTIONS } from '../auth-sessions.module-definition.js';
import type { ResolvedAuthSessionsOptions } from '../auth-sessions.options.js';
import { AuditLogService } from '../audit/audit-log.service.js';
import type { ClientContext } from '../common/client-context.js';
import { safeReturnTo } from '../edge/return-to.js';
import type { RequestAuth } from '../sessions/request-auth.js';
import { SessionRepository } from '../sessions/session.repository.js';
import type { IssuedSession } from '../sessions/sessions.service.js';
import { type FreshSession, SignInService } from '../signin/sign-in.service.js';
import type { SignoffUser, SsoIdentity } from '../users/users-provider.js';
import type { ResolvedOidcProvider } from './oidc.options.js';
import { type DiscoveredProvider, OidcProviders } from './oidc-providers.js';
import { SealedBox } from './sealed-box.js';
import { SsoReauthNotPossibleError, SsoSignInFailedError } from './sso.errors.js';
import { SsoRepository } from './sso.repository.js';
import { normalizeEmail } from '../users/email.js';

/** How long a started sign-in may take at the provider before its callback is refused. */
export const SIGN_IN_STATE_SECONDS = 600;

/** What the sign-in cookie carries between the redirect to the provider and the callback (sealed). */
interface SignInState {
  issuer: string;
  state: string;
  nonce: string;
  codeVerifier: string;
  redirectUri: string;
  returnTo: string | null;
  /** Seconds since the epoch. */
  expiresAt: number;
  /** A step-up: the session to make fresh and the provider subject that must sign in again (none for a sign-in). */
  reauth?: { sessionId: string; subject: string };
}

/** A started sign-in: where to send the browser, and the sealed state for its cookie. */
export interface StartedSignIn {
  authorizationUrl: string;
  sealedState: string;
}

/** A finished sign-in (a new session) or step-up (the current session made fresh), and where the browser goes. */
export type FinishedSignIn = { kind: 'signed-in'; issued: IssuedSession; returnTo: string } | { kind: 'confirmed'; fresh: FreshSession; returnTo: string };

/** How far the provider's `auth_time` may be before the step-up started (clocks differ). */
const AUTH_TIME_SKEW_SECONDS = 60;

/**
 * Sign-in through the OpenID Provider: the authorization code flow with PKCE (S256), `state` and
 * `nonce` (OpenID Connect Core 1.0 §3.1, RFC 7636, RFC 9207's `iss`), all through openid-client.
 * The state, nonce and code verifier travel in an encrypted, HttpOnly, SameSite=Lax cookie bound to
 * the browser that started the sign-in, and each `state` is accepted once on every instance. The
 * user is found by the linked `(issuer, sub)`, else by a verified email, else the host provisions
 * one; then the sign-in is a login like any other (`SignInService.signIn`: no fixation, devices,
 * the `login` audit event with `method: "oidc"` and the issuer).
 */
@Injectable()
export class OidcSignInService {
  private readonly logger = new Logger('AuthSessions');

  constructor(
    private readonly providers: OidcProviders,
    private readonly ssoRepository: SsoRepository,
    private readonly sessionRepository: SessionRepository,
    private readonly signIn: SignInService,
    private readonly auditLog: AuditLogService,
    @Inject(AUTH_SESSIONS_OPTIONS) private readonly options: ResolvedAuthSessionsOptions,
  ) {}

  /**
   * Starts a sign-in at the default provider. 404 when SSO is off, 503 while the provider is unreachable.
   * With `reauthFor` (step-up), the provider is asked to sign the same user in again (`prompt=login`,
   * `max_age=0`) and the callback makes that session fresh instead of opening one; 400 when that
   * session did not come from this provider.
   */
  async start(returnTo: unknown, redirectUri: string, reauthFor?: RequestAuth): Promise<StartedSignIn> {
    const provider = this.providers.defaultProvider();
    const { config } = await this.providers.ready(provider);
    const session = reauthFor?.session;
    if (reauthFor && (session?.ssoIssuer !== provider.issuer || !session.ssoSubject)) throw new SsoReauthNotPossibleError();
    const codeVerifier = client.randomPKCECodeVerifier();
    const signInState: SignInState = {
      issuer: provider.issuer,
      state: client.randomState(),
      nonce: client.randomNonce(),
      codeVerifier,
      redirectUri,
      returnTo: returnToOrNull(returnTo, this.options.publicOrigin),
      expiresAt: Math.floor(Date.now() / 1000) + SIGN_IN_STATE_SECONDS,
      ...(session?.ssoSubject ? { reauth: { sessionId: session.id, subject: session.ssoSubject } } : {}),
    };
    const authorizationUrl = client.buildAuthorizationUrl(config, {
      redirect_uri: redirectUri,
      scope: provider.scopes.join(' '),
      state: signInState.state,
      nonce: signInState.nonce,
      code_challenge: await client.calculatePKCECodeChallenge(codeVerifier),
      code_challenge_method: 'S256',
      // OpenID Connect Core 1.0 §3.1.2.1: sign the user in again, whatever session the provider has.
      ...(signInState.reauth ? { prompt: 'login', max_age: '0' } : {}),
    });
    return { authorizationUrl: authorizationUrl.href, sealedState: await this.stateBox(provider).seal(signInState) };
  }

  /**
   * Finishes a sign-in from the provider's redirect. Throws `SsoSignInFailedError` for a missing,
   * wrong, expired or reused state, a provider error, a failed code exchange, an invalid ID token,
   * or a user the host refuses; nothing is opened then.
   * @param callbackUrl the URL the browser was sent to (our redirect URI with the provider's query)
   * @param sealedState the sign-in cookie
   */
  async finish(callbackUrl: URL, sealedState: string | undefined, clientContext: ClientContext, replacing: RequestAuth | undefined): Promise<FinishedSignIn> {
    const provider = this.providers.defaultProvider();
    const discovered = await this.providers.ready(provider);
    try {
      return await this.finishAt(discovered, callbackUrl, sealedState, clientContext, replacing);
    } catch (error) {
      if (!(error instanceof SsoSignInFailedError)) throw error;
      this.logger.warn(`Single sign-on through ${provider.issuer} failed: ${error.detail}`);
      await this.auditLog
        .recordAlone({
          type: 'login_failed',
          actor: null,
          userId: null,
          client: clientContext,
          metadata: { method: 'oidc', issuer: provider.issuer, error: error.detail.slice(0, 200) },
        })
        .catch(() => undefined);
      throw error;
    }
  }

  private async finishAt(
    { provider, config }: DiscoveredProvider,
    callbackUrl: URL,
    sealedState: string | undefined,
    clientContext: ClientContext,
    replacing: RequestAuth | undefined,
  ): Promise<FinishedSignIn> {
    const expected = await this.stateBox(provider).open<SignInState>(sealedState);
    if (!expected || expected.issuer !== provider.issuer)
      throw new SsoSignInFailedError('no sign-in state cookie from this browser (started elsewhere, or expired)');
    const returnedState = callbackUrl.searchParams.get('state');
    if (returnedState !== expected.state) throw new SsoSignInFailedError('state does not match the one this browser was sent with');
    if (expected.expiresAt < Math.floor(Date.now() / 1000)) throw new SsoSignInFailedError('the sign-in took longer than 10 minutes');
    if (`${callbackUrl.origin}${callbackUrl.pathname}` !== expected.redirectUri) throw new SsoSignInFailedError('callback URL is not the redirect URI');
    const stateId = createHash('sha256').update(expected.state).digest('base64url');
    const isFirstUse = await this.sessionRepository.transaction((manager) =>
      this.ssoRepository.markUsed(manager, provider.issuer, 'state', stateId, new Date((expected.expiresAt + 60) * 1000)),
    );
    if (!isFirstUse) throw new SsoSignInFailedError('state was already used');
    const providerError = callbackUrl.searchParams.get('error');
    if (providerError !== null) {
      throw new SsoSignInFailedError(
        `the provider answered error=${providerError.slice(0, 64)}`,
        /^[a-z_]{1,64}$/.test(providerError) ? providerError : 'unknown',
      );
    }

    let tokens: Awaited<ReturnType<typeof client.authorizationCodeGrant>>;
    try {
      tokens = await client.authorizationCodeGrant(config, callbackUrl, {
        pkceCodeVerifier: expected.codeVerifier,
        expectedState: expected.state,
        expectedNonce: expected.nonce,
        idTokenExpected: true,
      });
    } catch (error) {
      throw new SsoSignInFailedError(`code exchange or ID token validation failed: ${(error as Error).message}`);
    }
    const claims = tokens.claims();
    if (!claims || !tokens.id_token) throw new SsoSignInFailedError('the provider returned no ID token');
    if (expected.reauth) return { kind: 'confirmed', fresh: await this.confirm(expected, claims, replacing), returnTo: expected.returnTo ?? '/devices' };
    const identity = await this.identityOf(provider, config, claims, tokens.access_token);
    const user = await this.findUser(identity);
    const sid = typeof claims['sid'] === 'string' && claims['sid'].length <= 255 ? claims['sid'] : null;
    const sealedIdToken = await this.hintBox(provider).seal(tokens.id_token);
    const { issued } = await this.signIn.signIn(user, clientContext, {
      ...(replacing ? { replacing } : {}),
      auditMetadata: { method: 'oidc', issuer: provider.issuer },
      sso: { issuer: provider.issuer, subject: identity.subject, sid },
      withinTransaction: (manager, session) => this.ssoRepository.saveLogoutHint(manager, session.id, sealedIdToken, new Date()),
    });
    return { kind: 'signed-in', issued, returnTo: expected.returnTo ?? '/devices' };
  }

  /**
   * Step-up through the provider: the same provider account signed in again after the step-up started
   * (`auth_time`), in the browser whose session asked for it; then that session is made fresh (and rotated).
   */
  private async confirm(
    expected: SignInState,
    claims: NonNullable<ReturnType<Awaited<ReturnType<typeof client.authorizationCodeGrant>>['claims']>>,
    current: RequestAuth | undefined,
  ): Promise<FreshSession> {
    const reauth = expected.reauth!;
    if (current?.session.id !== reauth.sessionId)
      throw new SsoSignInFailedError('the session that asked for the confirmation is not the one this browser presents');
    if (claims.sub !== reauth.subject) throw new SsoSignInFailedError('another account signed in at the provider than the one this session belongs to');
    const startedAt = expected.expiresAt - SIGN_IN_STATE_SECONDS;
    if (typeof claims.auth_time !== 'number' || claims.auth_time < startedAt - AUTH_TIME_SKEW_SECONDS) {
      throw new SsoSignInFailedError('the provider did not sign the user in again (auth_time is missing or before the confirmation started)');
    }
    return this.signIn.refresh(current);
  }

  private async identityOf(
    provider: ResolvedOidcProvider,
    config: client.Configuration,
    claims: NonNullable<ReturnType<Awaited<ReturnType<typeof client.authorizationCodeGrant>>['claims']>>,
    accessToken: string | undefined,
  ): Promise<SsoIdentity> {
    if (typeof claims.sub !== 'string' || claims.sub.length === 0 || claims.sub.length > 255) throw new SsoSignInFailedError('the ID token has no usable sub');
    let all: Record<string, unknown> = { ...claims };
    // Some providers put email only in userinfo; openid-client checks that its sub is the ID token's.
    if (typeof claims['email'] !== 'string' && accessToken && config.serverMetadata().userinfo_endpoint) {
      try {
        all = { ...(await client.fetchUserInfo(config, accessToken, claims.sub)), ...claims };
      } catch (error) {
        this.logger.warn(`Single sign-on: userinfo of ${provider.issuer} failed (${(error as Error).message}); continuing without it`);
      }
    }
    const email = typeof all['email'] === 'string' && all['email'].length <= 320 ? normalizeEmail(all['email']) : null;
    return {
      issuer: provider.issuer,
      subject: claims.sub,
      email,
      emailVerified: email !== null && (all['email_verified'] === true || all['email_verified'] === 'true'),
      name: typeof all['name'] === 'string' ? all['name'].slice(0, 200) : null,
      claims: all,
    };
  }

  /** The linked user; else, once, the user with the verified email (then linked); else the host's new user (then linked). */
  private async findUser(identity: SsoIdentity): Promise<SignoffUser> {
    const now = new Date();
    const users = this.options.users;
    const link = await this.ssoRepository.findLink(identity.issuer, identity.subject);
    if (link) {
      const linked = await users.findById(link.userId);
      if (linked) {
        await this.ssoRepository.touchLink(identity.issuer, identity.subject, now);
        return linked;
      }
      // The host deleted that user: the subject starts over like a first sign-in.
      await this.ssoRepository.deleteLink(identity.issuer, identity.subject);
    }
    let user = identity.emailVerified && identity.email ? await users.findByEmail(identity.email) : null;
    user ??= (await users.provisionSsoUser?.(identity)) ?? null;
    if (!user) throw new SsoSignInFailedError('no user for this provider account, and the host did not provision one');
    if ((await this.ssoRepository.link(identity.issuer, identity.subject, user.id, now)) === 'conflict') {
      throw new SsoSignInFailedError('the user is already linked to another account at this provider');
    }
    return user;
  }

  private stateBox(provider: ResolvedOidcProvider): SealedBox {
    return new SealedBox(provider.clientSecret, provider.issuer, 'sign-in-state');
  }

  private hintBox(provider: ResolvedOidcProvider): SealedBox {
    return new SealedBox(provider.clientSecret, provider.issuer, 'logout-hint');
  }
}

function returnToOrNull(returnTo: unknown, publicOrigin: string): string | null {
  const NONE = '\u0000';
  const safe = safeReturnTo(returnTo, publicOrigin, NONE);
  return safe === NONE ? null : safe;
}
