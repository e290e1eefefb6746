import { randomBytes, randomUUID } from 'node:crypto';
import { importJWK, SignJWT, type JWTPayload } from 'jose';
import { BrowserClient, type ApiResponse } from '../../../../test-support/http-client.js';
import type { PrivateJwk, ThrowawayIdp } from '../../../../test-support/throwaway-idp.js';

export const CLIENT_ID = 'signoff-demo';
export const CLIENT_SECRET = randomBytes(24).toString('base64url');
export const BACKCHANNEL_LOGOUT_EVENT = 'http://schemas.openid.net/event/backchannel-logout';
export const SESSION_REVOKED = 'https://schemas.openid.net/secevent/caep/event-type/session-revoked';
export const CREDENTIAL_CHANGE = 'https://schemas.openid.net/secevent/caep/event-type/credential-change';

/** The demo's environment for single sign-on through `issuer`. */
export function oidcEnv(issuer: string, extra: Record<string, string> = {}): Record<string, string> {
  return { OIDC_ISSUER: issuer, OIDC_CLIENT_ID: CLIENT_ID, OIDC_CLIENT_SECRET: CLIENT_SECRET, ...extra };
}

/** A browser at the provider: its own cookie jar, following the provider's redirects and submitting its forms. */
export class IdpBrowser {
  readonly client: BrowserClient;

  constructor(readonly issuer: string) {
    this.client = new BrowserClient(issuer, { userAgent: 'Mozilla/5.0 (X11; Linux x86_64) Chrome/156.0.0.0 Safari/537.36' });
  }

  /**
   * Follows `url` through the provider (redirects, the login form with `login`, the consent form,
   * the logout confirmation with "Yes, sign me out") until the provider sends the browser to
   * another origin, or shows a page without a form; returns that URL. `pages` records every form the provider showed.
   */
  async follow(url: string, login: string, pages: string[] = []): Promise<URL> {
    let next: { method: 'GET' | 'POST'; url: URL; form?: Record<string, string> } = { method: 'GET', url: new URL(url) };
    for (let step = 0; step < 20; step++) {
      if (next.url.origin !== new URL(this.issuer).origin) return next.url;
      const response: ApiResponse =
        next.method === 'GET' ? await this.client.get(next.url.href) : await this.client.post(next.url.href, { form: next.form ?? {}, xsrf: false });
      if (response.status >= 300 && response.status < 400) {
        next = { method: 'GET', url: new URL(response.headers.get('location')!, next.url) };
        continue;
      }
      if (response.status !== 200 || typeof response.body !== 'string') {
        throw new Error(`the provider answered ${response.status} at ${next.url.pathname}: ${JSON.stringify(response.body).slice(0, 500)}`);
      }
      const form = parseForm(response.body);
      // A page that asks nothing (the provider's "signed out" page): the browser stays there.
      if (!form) return next.url;
      pages.push(form.fields['prompt'] ?? (form.action.includes('/session/end') ? 'logout' : 'other'));
      const fields = { ...form.fields };
      if (fields['prompt'] === 'login') Object.assign(fields, { login, password: 'any password' });
      if (form.action.includes('/session/end/confirm')) fields['logout'] = 'yes';
      next = { method: 'POST', url: new URL(form.action, next.url), form: fields };
    }
    throw new Error('the provider did not send the browser back within 20 steps');
  }
}

/** Parses the first POST form of a page: its action and hidden inputs. */
function parseForm(html: string): { action: string; fields: Record<string, string> } | null {
  const form = /<form[^>]*action="([^"]+)"[^>]*>([\s\S]*?)<\/form>/i.exec(html);
  if (!form) return null;
  const fields: Record<string, string> = {};
  for (const input of form[2].matchAll(/<input[^>]*type="hidden"[^>]*>/gi)) {
    const name = /name="([^"]*)"/.exec(input[0])?.[1];
    const value = /value="([^"]*)"/.exec(input[0])?.[1] ?? '';
    if (name) fields[name] = value.replace(/&amp;/g, '&').replace(/&quot;/g, '"');
  }
  return { action: form[1].replace(/&amp;/g, '&'), fields };
}

/** A finished single sign-on: the callback's answer and where the provider sent the browser. */
export interface SsoSignIn {
  callback: ApiResponse;
  callbackUrl: URL;
  authorizationUrl: URL;
}

/** Signs `app` (a browser at the demo) in through the provider as `login`, over HTTP, through the provider's own forms. */
export async function ssoSignIn(app: BrowserClient, idp: IdpBrowser, login: string, returnTo?: string): Promise<SsoSignIn> {
  const start = await app.get(`/api/auth/oidc/login${returnTo === undefined ? '' : `?returnTo=${encodeURIComponent(returnTo)}`}`);
  if (start.status !== 302) throw new Error(`login answered ${start.status}: ${JSON.stringify(start.body)}`);
  const authorizationUrl = new URL(start.headers.get('location')!);
  const callbackUrl = await idp.follow(authorizationUrl.href, login);
  const callback = await app.get(callbackUrl.pathname + callbackUrl.search);
  return { callback, callbackUrl, authorizationUrl };
}

/** Waits until an instance has read the provider's discovery document (it retries in the background after a failed start). */
export async function waitUntilSsoAvailable(baseUrl: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const response = await new BrowserClient(baseUrl).get('/api/auth/oidc/status');
    if (response.status === 200 && response.body.available === true) return;
    if (Date.now() > deadline) throw new Error(`single sign-on did not become available on ${baseUrl}: ${response.status} ${JSON.stringify(response.body)}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** A unique login name at the provider (its `sub`). */
export function newLogin(prefix = 'sso'): string {
  return `${prefix}-${randomUUID().slice(0, 8)}`;
}

/** Signs a JWT the way a provider would (RS256 with `key`, its kid); `header` overrides the protected header. */
export async function signToken(key: PrivateJwk, payload: JWTPayload, header: Record<string, unknown> = {}): Promise<string> {
  const privateKey = await importJWK(key, key.alg);
  return new SignJWT(payload).setProtectedHeader({ alg: key.alg, kid: key.kid, ...header }).sign(privateKey);
}

/** The claims of a valid logout token for `sid`/`sub` from the provider. */
export function logoutClaims(idp: ThrowawayIdp, claims: { sid?: string; sub?: string }): JWTPayload {
  const now = Math.floor(Date.now() / 1000);
  return {
    iss: idp.issuer,
    aud: idp.clientId,
    iat: now,
    exp: now + 120,
    jti: randomUUID(),
    events: { [BACKCHANNEL_LOGOUT_EVENT]: {} },
    ...claims,
  };
}

/** The claims of a valid SET with one CAEP event about `sub` (and its provider session `sid`). */
export function setClaims(idp: ThrowawayIdp, eventType: string, subject: { sub: string; sid?: string }, event: Record<string, unknown> = {}): JWTPayload {
  const user = { format: 'iss_sub', iss: idp.issuer, sub: subject.sub };
  return {
    iss: idp.issuer,
    aud: idp.clientId,
    iat: Math.floor(Date.now() / 1000),
    jti: randomUUID(),
    events: {
      [eventType]: {
        subject: subject.sid === undefined ? user : { format: 'complex', user, session: { format: 'opaque', id: subject.sid } },
        event_timestamp: Math.floor(Date.now() / 1000),
        ...event,
      },
    },
  };
}

/** Posts a logout token as the provider does (form-encoded, no cookies). */
export function postLogoutToken(baseUrl: string, token: string): Promise<ApiResponse> {
  return new BrowserClient(baseUrl).post('/api/auth/oidc/backchannel-logout', { form: { logout_token: token } });
}

/** Pushes one SET as an SSF transmitter does (RFC 8935). */
export function pushSet(baseUrl: string, token: string, contentType = 'application/secevent+jwt'): Promise<ApiResponse> {
  return new BrowserClient(baseUrl).post('/api/auth/oidc/ssf', { body: token, headers: { 'content-type': contentType, accept: 'application/json' } });
}

/**
 * The single sign-on operations, all public: the browser's way in and back, and the provider's
 * server-to-server calls (authenticated by a signed token, not a session).
 */
export const SSO_PUBLIC_OPERATIONS = [
  'GET /api/auth/oidc/status',
  'GET /api/auth/oidc/login',
  'GET /api/auth/oidc/callback',
  'GET /api/auth/oidc/logged-out',
  'POST /api/auth/oidc/backchannel-logout',
  'POST /api/auth/oidc/ssf',
] as const;
