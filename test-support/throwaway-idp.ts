// A throwaway OpenID Provider (panva's oidc-provider, certified) for the end-to-end tests and for
// `npm run idp`. It runs in this process on a port of the caller's choosing, with dev interactions
// (its own login and consent forms: any login name, any password), back-channel logout and
// RP-initiated logout enabled, and the demo app registered as a client with the URIs of
// ../shared/contract/sso.md.
//
// Node runs this file directly for `npm run idp` (type stripping): keep it free of relative imports
// and of TypeScript-only runtime syntax (enums, parameter properties).
import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, type JWK } from 'jose';
import Provider from 'oidc-provider';

/** A private signing key of the provider, with its `kid` and `alg` (tests sign logout tokens and SETs with it). */
export type PrivateJwk = JWK & { kid: string; alg: string };

export interface ThrowawayIdpOptions {
  /** The port to listen on (127.0.0.1 or `host`). Tests choose it first so the apps can be started with the issuer. */
  port: number;
  /** The host of the issuer URL. `localhost` keeps its cookies apart from an app on 127.0.0.1 in a browser. @default '127.0.0.1' */
  host?: string;
  clientId: string;
  clientSecret: string;
  /** The `PUBLIC_ORIGIN` of every app instance: each gets its redirect and post-logout URIs. */
  appOrigins: string[];
  /** Where back-channel logout goes. @default the first app origin's /api/auth/oidc/backchannel-logout */
  backchannelLogoutUri?: string;
  /** Signing keys (private JWKs), the first one signs. @default one new RS256 key */
  keys?: PrivateJwk[];
}

/** One back-channel logout the provider sent: to which client and whether the RP answered 200. */
export interface BackchannelDelivery {
  clientId: string;
  accountId: string;
  sid: string;
  ok: boolean;
  error?: string;
}

export interface ThrowawayIdp {
  issuer: string;
  port: number;
  clientId: string;
  clientSecret: string;
  /** The signing keys the provider publishes in its JWKS (private halves, for tests). */
  keys: PrivateJwk[];
  /** Back-channel logouts sent so far, in order. */
  backchannelDeliveries: BackchannelDelivery[];
  /** The email a login name signs in with (what the provider puts in `email`). */
  emailOf(login: string): string;
  stop(): Promise<void>;
}

/** A new RS256 signing key as a private JWK. */
export async function generateSigningKey(kid: string = randomUUID()): Promise<PrivateJwk> {
  const { privateKey } = await generateKeyPair('RS256', { extractable: true });
  return { ...(await exportJWK(privateKey)), kid, alg: 'RS256', use: 'sig' };
}

/**
 * The account behind a login name: `sub` is the login itself; `email` is the login when it looks
 * like one, else `<login>@example.com`; `email_verified` is true unless the login starts with
 * `unverified`.
 */
function accountClaims(login: string): Record<string, unknown> {
  return { sub: login, email: emailOf(login), email_verified: !login.startsWith('unverified'), name: login };
}

function emailOf(login: string): string {
  return login.includes('@') ? login : `${login}@example.com`;
}

export async function startThrowawayIdp(options: ThrowawayIdpOptions): Promise<ThrowawayIdp> {
  const host = options.host ?? '127.0.0.1';
  const issuer = `http://${host}:${options.port}`;
  const keys = options.keys ?? [await generateSigningKey()];
  const origins = options.appOrigins;
  const backchannelDeliveries: BackchannelDelivery[] = [];
  const page = (title: string, body: string) =>
    `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>${title}</title></head><body><main><h1>${title}</h1>${body}</main></body></html>`;

  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: options.clientId,
        client_secret: options.clientSecret,
        client_name: 'Signoff',
        token_endpoint_auth_method: 'client_secret_basic',
        grant_types: ['authorization_code'],
        response_types: ['code'],
        redirect_uris: origins.map((origin) => `${origin}/api/auth/oidc/callback`),
        post_logout_redirect_uris: origins.map((origin) => `${origin}/login?logged_out=1`),
        backchannel_logout_uri: options.backchannelLogoutUri ?? `${origins[0]}/api/auth/oidc/backchannel-logout`,
        backchannel_logout_session_required: true,
      },
    ],
    jwks: { keys },
    cookies: { keys: [randomBytes(32).toString('base64url')] },
    findAccount: (_ctx, accountId) => ({ accountId, claims: () => accountClaims(accountId) as { sub: string } }),
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
    // Puts email in the ID token itself, as most enterprise providers do.
    conformIdTokenClaims: false,
    pkce: { required: () => true },
    // Explicit lifetimes (in seconds), which also keeps the provider from printing a notice for each default.
    ttl: { AccessToken: 3600, AuthorizationCode: 60, IdToken: 3600, Interaction: 3600, Session: 86_400, Grant: 86_400 },
    features: {
      devInteractions: { enabled: true },
      backchannelLogout: { enabled: true },
      rpInitiatedLogout: {
        enabled: true,
        // The defaults load web fonts from a CDN; these pages are plain.
        logoutSource: (ctx, form) => {
          ctx.body = page(
            'Sign out',
            `${form}<button autofocus type="submit" form="op.logoutForm" value="yes" name="logout">Yes, sign me out</button><button type="submit" form="op.logoutForm">No, stay signed in</button>`,
          );
        },
        postLogoutSuccessSource: (ctx) => {
          ctx.body = page('Signed out', '<p>You are signed out of the identity provider.</p>');
        },
      },
    },
    renderError: (ctx, out) => {
      ctx.type = 'html';
      ctx.body = page(
        'Error',
        `<pre>${Object.entries(out)
          .map(([key, value]) => `${key}: ${String(value).replace(/[<>&]/g, '')}`)
          .join('\n')}</pre>`,
      );
    },
  });
  provider.on('backchannel.success', (_ctx, client, accountId, sid) => {
    backchannelDeliveries.push({ clientId: client.clientId, accountId, sid, ok: true });
  });
  provider.on('backchannel.error', (_ctx, error, client, accountId, sid) => {
    backchannelDeliveries.push({ clientId: client.clientId, accountId, sid, ok: false, error: error.message });
  });
  // The provider's own logging of errors it answers with (a 400 to a bad request is expected in tests).
  provider.on('server_error', (_ctx, error) => process.stderr.write(`[idp] server error: ${error.message}\n`));

  // Koa's handler answers its own errors; Node ignores the promise it returns, and so do we.
  const handle = provider.callback();
  const server: Server = createServer((request, response) => void handle(request, response));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    issuer,
    port,
    clientId: options.clientId,
    clientSecret: options.clientSecret,
    keys,
    backchannelDeliveries,
    emailOf,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
