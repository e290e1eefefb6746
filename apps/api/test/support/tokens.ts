import { type ApiResponse, BrowserClient } from '../../../../test-support/http-client.js';
import type { Account } from './accounts.js';

/** The body of `POST /api/auth/token`. */
export interface IssuedTokens {
  access_token: string;
  refresh_token: string;
  token_type: 'Bearer';
  expires_in: number;
  session_id: string;
}

/** Every access and refresh token value a spec has been given, so the audit log can be searched for them. */
export const seenTokens = new Set<string>();

/** Remembers the token values of a token, refresh or reauth answer; returns the response unchanged. */
export function remember(response: ApiResponse): ApiResponse {
  const body = response.body as Record<string, unknown> | undefined;
  for (const name of ['access_token', 'refresh_token']) {
    const value = body?.[name];
    if (typeof value === 'string') seenTokens.add(value);
  }
  return response;
}

/** Opens a bearer session (`POST /api/auth/token`) as an API client with its own user agent. */
export async function issueTokens(baseUrl: string, account: Account, options: { userAgent?: string } = {}): Promise<IssuedTokens> {
  const client = new BrowserClient(baseUrl, options.userAgent ? { userAgent: options.userAgent } : undefined);
  const response = remember(await client.request('POST', '/api/auth/token', { json: { email: account.email, password: account.password } }));
  if (response.status !== 200) throw new Error(`token sign-in failed: ${response.status} ${JSON.stringify(response.body)}`);
  return response.body as IssuedTokens;
}

/** `POST /api/auth/token/refresh` from a client without cookies. */
export async function refresh(baseUrl: string, refreshToken: string): Promise<ApiResponse> {
  return remember(await new BrowserClient(baseUrl).request('POST', '/api/auth/token/refresh', { json: { refresh_token: refreshToken } }));
}

/** `POST /api/auth/token/revoke` from a client without cookies. */
export function revoke(baseUrl: string, refreshToken: unknown): Promise<ApiResponse> {
  return new BrowserClient(baseUrl).request('POST', '/api/auth/token/revoke', { json: { refresh_token: refreshToken } });
}

/** `GET /api/auth/me` with only an access token. */
export function me(baseUrl: string, accessToken: string): Promise<ApiResponse> {
  return new BrowserClient(baseUrl).request('GET', '/api/auth/me', { bearer: accessToken });
}
