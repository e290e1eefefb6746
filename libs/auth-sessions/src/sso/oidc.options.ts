import type { AuthUsersProvider } from '../users/users-provider.js';

/** One OpenID Provider and the host's client registered there (`client_secret_basic`). */
export interface OidcProviderOptions {
  /** The provider's issuer identifier; discovery reads `<issuer>/.well-known/openid-configuration`. */
  issuer: string;
  clientId: string;
  /** The client secret; also the key material of the library's sign-in state and stored logout hints (at least 16 characters). */
  clientSecret: string;
  /** Requested scopes; `openid` is required. @default ['openid', 'email', 'profile'] */
  scopes?: string[] | string;
  /** Whether logging out of a session from this provider also sends the browser to its end-session endpoint. @default true */
  rpLogout?: boolean;
}

/**
 * Single sign-on options. Today one provider; the resolved form is already a list (`providers`),
 * so a later `{ providers: [...] }` only changes this type, not the code that uses it.
 */
export type OidcOptions = OidcProviderOptions;

/** A provider after defaults and checks. */
export interface ResolvedOidcProvider {
  issuer: string;
  clientId: string;
  clientSecret: string;
  scopes: string[];
  rpLogout: boolean;
  /** Plain-HTTP issuers are accepted only on a loopback host (local development, tests). */
  allowInsecureHttp: boolean;
}

/** Resolved single sign-on options: no providers means SSO is off. */
export interface ResolvedOidcOptions {
  providers: ResolvedOidcProvider[];
}

/** Injection token of the resolved single sign-on options. */
export const OIDC_OPTIONS = Symbol('OIDC_OPTIONS');

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);
const MIN_SECRET_LENGTH = 16;

/** Applies defaults to `options.oidc` and rejects what cannot work, saying how to fix it. */
export function resolveOidcOptions(options: { oidc?: OidcOptions; users: AuthUsersProvider }): ResolvedOidcOptions {
  const oidc = options.oidc;
  if (!oidc) return { providers: [] };
  if (typeof options.users?.provisionSsoUser !== 'function') {
    throw new Error(
      'AuthSessionsModule: `oidc` needs `users.provisionSsoUser(identity)`: your AuthUsersProvider must say how a first single sign-on finds or creates its user (return null to refuse).',
    );
  }
  return { providers: [resolveProvider(oidc)] };
}

function resolveProvider(provider: OidcProviderOptions): ResolvedOidcProvider {
  let issuerUrl: URL;
  try {
    issuerUrl = new URL(provider.issuer);
  } catch {
    throw new Error(`AuthSessionsModule: \`oidc.issuer\` must be an absolute URL such as https://login.example.com (got "${provider.issuer}").`);
  }
  if (issuerUrl.search || issuerUrl.hash) {
    throw new Error('AuthSessionsModule: `oidc.issuer` must not have a query or fragment (OpenID Connect Discovery 1.0 §2).');
  }
  const isLoopback = LOOPBACK_HOSTS.has(issuerUrl.hostname);
  if (issuerUrl.protocol !== 'https:' && !(issuerUrl.protocol === 'http:' && isLoopback)) {
    throw new Error('AuthSessionsModule: `oidc.issuer` must use https (plain http is accepted only for localhost, for development).');
  }
  if (!provider.clientId) throw new Error('AuthSessionsModule: `oidc.clientId` is required (the client registered at the provider).');
  if (!provider.clientSecret || provider.clientSecret.length < MIN_SECRET_LENGTH) {
    throw new Error(`AuthSessionsModule: \`oidc.clientSecret\` must be the client's secret at the provider, at least ${MIN_SECRET_LENGTH} characters.`);
  }
  const scopes = typeof provider.scopes === 'string' ? provider.scopes.split(/\s+/).filter(Boolean) : (provider.scopes ?? ['openid', 'email', 'profile']);
  if (!scopes.includes('openid')) {
    throw new Error('AuthSessionsModule: `oidc.scopes` must include "openid" (without it the provider issues no ID token).');
  }
  return {
    // The issuer is compared exactly (iss claims, discovery), so it is kept exactly as configured.
    issuer: provider.issuer,
    clientId: provider.clientId,
    clientSecret: provider.clientSecret,
    scopes: [...new Set(scopes)],
    rpLogout: provider.rpLogout ?? true,
    allowInsecureHttp: issuerUrl.protocol === 'http:',
  };
}
