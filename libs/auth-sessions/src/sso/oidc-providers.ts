import { Inject, Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { createRemoteJWKSet, type JWTVerifyGetKey } from 'jose';
import * as client from 'openid-client';
import { OIDC_OPTIONS, type ResolvedOidcOptions, type ResolvedOidcProvider } from './oidc.options.js';
import { SsoDisabledError, SsoUnavailableError } from './sso.errors.js';

/** A provider whose discovery document has been read. */
export interface DiscoveredProvider {
  provider: ResolvedOidcProvider;
  config: client.Configuration;
  /** The provider's signing keys, for logout tokens and SETs (fetched on demand, refetched once on an unknown `kid`). */
  jwks: JWTVerifyGetKey;
}

const HTTP_TIMEOUT_SECONDS = 5;
const RETRY_MIN_MS = 1000;
const RETRY_MAX_MS = 30_000;
// A route that needs the provider retries at once when the last attempt is at least this old
// (so a provider that came back is usable at once, while requests cannot hammer one that is down).
const RETRY_ON_DEMAND_AFTER_MS = 500;
// At most one JWKS fetch per cooldown caused by unknown `kid`s (tokens cannot make us hammer the provider).
const JWKS_COOLDOWN_MS = 5000;
const JWKS_MAX_AGE_MS = 10 * 60_000;

interface ProviderState {
  provider: ResolvedOidcProvider;
  discovered: DiscoveredProvider | null;
  attempt: Promise<DiscoveredProvider | null> | null;
  lastAttemptAt: number;
  failures: number;
  retryTimer: NodeJS.Timeout | undefined;
}

/**
 * The configured OpenID Providers and their discovery. The app starts whether or not a provider
 * answers: discovery runs in the background and is retried with a growing delay (1 s to 30 s);
 * until it succeeds the single sign-on routes answer 503. openid-client does the discovery and
 * keeps the client configuration; jose's remote JWK set (openid-client's own JOSE library) holds
 * the signing keys that logout tokens and SETs are checked against, because openid-client only
 * validates the ID tokens of its own grants.
 */
@Injectable()
export class OidcProviders implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('AuthSessions');
  private readonly states: ProviderState[];
  private isShutDown = false;

  constructor(@Inject(OIDC_OPTIONS) options: ResolvedOidcOptions) {
    this.states = options.providers.map((provider) => ({
      provider,
      discovered: null,
      attempt: null,
      lastAttemptAt: 0,
      failures: 0,
      retryTimer: undefined,
    }));
  }

  /** Whether single sign-on is configured at all. */
  get isEnabled(): boolean {
    return this.states.length > 0;
  }

  onModuleInit(): void {
    for (const state of this.states) void this.discover(state);
  }

  onApplicationShutdown(): void {
    this.isShutDown = true;
    for (const state of this.states) clearTimeout(state.retryTimer);
  }

  /** The provider sign-in uses (today the only one). 404 when SSO is off. */
  defaultProvider(): ResolvedOidcProvider {
    const state = this.states[0];
    if (!state) throw new SsoDisabledError();
    return state.provider;
  }

  /** Every configured provider. */
  all(): ResolvedOidcProvider[] {
    return this.states.map((state) => state.provider);
  }

  /** The configured provider with exactly this issuer, or null. */
  byIssuer(issuer: unknown): ResolvedOidcProvider | null {
    return typeof issuer === 'string' ? (this.states.find((state) => state.provider.issuer === issuer)?.provider ?? null) : null;
  }

  /** The discovered provider, discovering it now if needed; 503 when it still cannot be reached. */
  async ready(provider: ResolvedOidcProvider): Promise<DiscoveredProvider> {
    const state = this.stateOf(provider);
    if (state.discovered) return state.discovered;
    const pending = state.attempt ?? (Date.now() - state.lastAttemptAt >= RETRY_ON_DEMAND_AFTER_MS ? this.discover(state) : null);
    const discovered = pending ? await pending : null;
    if (!discovered) throw new SsoUnavailableError();
    return discovered;
  }

  /** The discovered provider if discovery has already succeeded, else null (never waits; starts an attempt when one is due). */
  ifReady(provider: ResolvedOidcProvider): DiscoveredProvider | null {
    const state = this.stateOf(provider);
    if (!state.discovered && !state.attempt && Date.now() - state.lastAttemptAt >= RETRY_ON_DEMAND_AFTER_MS) void this.discover(state);
    return state.discovered;
  }

  private stateOf(provider: ResolvedOidcProvider): ProviderState {
    const state = this.states.find((candidate) => candidate.provider === provider);
    if (!state) throw new SsoDisabledError();
    return state;
  }

  private discover(state: ProviderState): Promise<DiscoveredProvider | null> {
    clearTimeout(state.retryTimer);
    state.lastAttemptAt = Date.now();
    state.attempt = this.fetchConfiguration(state.provider)
      .then((discovered) => {
        if (state.failures > 0) this.logger.log(`Single sign-on: ${state.provider.issuer} answered; sign-in through it is available`);
        state.discovered = discovered;
        state.failures = 0;
        return discovered;
      })
      .catch((error: unknown) => {
        if (state.failures === 0) {
          this.logger.warn(`Single sign-on: discovery of ${state.provider.issuer} failed (${describe(error)}); SSO routes answer 503 and discovery is retried`);
        }
        state.failures++;
        if (!this.isShutDown) {
          const delay = Math.min(RETRY_MAX_MS, RETRY_MIN_MS * 2 ** Math.min(state.failures - 1, 5));
          state.retryTimer = setTimeout(() => void this.discover(state), delay);
          state.retryTimer.unref();
        }
        return null;
      })
      .finally(() => {
        state.attempt = null;
      });
    return state.attempt;
  }

  private async fetchConfiguration(provider: ResolvedOidcProvider): Promise<DiscoveredProvider> {
    const config = await client.discovery(
      new URL(provider.issuer),
      provider.clientId,
      { client_secret: provider.clientSecret },
      client.ClientSecretBasic(provider.clientSecret),
      { execute: provider.allowInsecureHttp ? [client.allowInsecureRequests] : [], timeout: HTTP_TIMEOUT_SECONDS },
    );
    const metadata = config.serverMetadata();
    if (!metadata.jwks_uri) throw new Error('the discovery document has no jwks_uri');
    const jwks = createRemoteJWKSet(new URL(metadata.jwks_uri), {
      cooldownDuration: JWKS_COOLDOWN_MS,
      cacheMaxAge: JWKS_MAX_AGE_MS,
      timeoutDuration: HTTP_TIMEOUT_SECONDS * 1000,
    });
    return { provider, config, jwks };
  }
}

function describe(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  const message = error instanceof Error ? error.message : String(error);
  return cause?.code ? `${message}: ${cause.code}` : message;
}
