import { randomBytes } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import * as client from 'openid-client';
import { AUTH_SESSIONS_OPTIONS } from '../auth-sessions.module-definition.js';
import type { ResolvedAuthSessionsOptions } from '../auth-sessions.options.js';
import type { Session } from '../sessions/session.entity.js';
import type { ResolvedOidcProvider } from './oidc.options.js';
import { OidcProviders } from './oidc-providers.js';
import { SealedBox } from './sealed-box.js';
import { SsoRepository } from './sso.repository.js';

/** How long the `state` of an RP-initiated logout is honoured when the provider sends the browser back. */
const LOGOUT_STATE_SECONDS = 600;

/**
 * RP-initiated logout (OpenID Connect RP-Initiated Logout 1.0): after a session that came through
 * single sign-on has ended here (always first, like every logout), the browser is sent to the
 * provider's `end_session_endpoint` with `id_token_hint`, `client_id`, the registered
 * `post_logout_redirect_uri` and a `state` this server can recognise when the browser comes back.
 * Not for sessions from elsewhere, with `rpLogout: false`, or when the provider has no end-session
 * endpoint. Never fails a logout: any trouble means the usual local redirect.
 */
@Injectable()
export class RpLogoutService {
  private readonly logger = new Logger('AuthSessions');

  constructor(
    private readonly providers: OidcProviders,
    private readonly ssoRepository: SsoRepository,
    @Inject(AUTH_SESSIONS_OPTIONS) private readonly options: ResolvedAuthSessionsOptions,
  ) {}

  /**
   * Where the browser goes after the (already ended) session `session` logged out: the provider's
   * end-session URL, or null for the usual redirect. Uses up the session's stored logout hint.
   */
  async endSessionUrl(session: Session | undefined): Promise<string | null> {
    if (!session?.ssoIssuer || !this.providers.isEnabled) return null;
    try {
      const sealedHint = await this.ssoRepository.takeLogoutHint(session.id);
      const provider = this.providers.byIssuer(session.ssoIssuer);
      if (!provider?.rpLogout) return null;
      const discovered = this.providers.ifReady(provider);
      if (!discovered?.config.serverMetadata().end_session_endpoint) return null;
      const idToken = await new SealedBox(provider.clientSecret, provider.issuer, 'logout-hint').open<string>(sealedHint);
      const url = client.buildEndSessionUrl(discovered.config, {
        ...(idToken ? { id_token_hint: idToken } : {}),
        client_id: provider.clientId,
        post_logout_redirect_uri: `${this.options.publicOrigin}${this.options.logoutRedirect}`,
        state: await this.stateBox(provider).seal({ n: randomBytes(12).toString('base64url'), exp: Math.floor(Date.now() / 1000) + LOGOUT_STATE_SECONDS }),
      });
      return url.href;
    } catch (error) {
      this.logger.warn(`Single sign-on: no RP-initiated logout for session ${session.id} (${(error as Error).message}); local redirect instead`);
      return null;
    }
  }

  /**
   * Whether `state` is one this server sent with an RP-initiated logout in the last 10 minutes (the
   * provider echoes it on the post-logout redirect). Anything else is ignored by the caller, and logged here.
   */
  async isLogoutState(state: unknown): Promise<boolean> {
    for (const provider of this.providers.all()) {
      const opened = await this.stateBox(provider).open<{ exp: number }>(state);
      if (opened && typeof opened.exp === 'number' && opened.exp >= Math.floor(Date.now() / 1000)) return true;
    }
    this.logger.warn('Single sign-on: a post-logout redirect came back with a state this server did not send (or an expired one); ignored');
    return false;
  }

  private stateBox(provider: ResolvedOidcProvider): SealedBox {
    return new SealedBox(provider.clientSecret, provider.issuer, 'logout-state');
  }
}
