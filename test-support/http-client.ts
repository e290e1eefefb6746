import { request as httpRequest } from 'node:http';
import { OpenApiValidator, validatorFor } from './openapi-validator.js';

export interface ApiResponse {
  status: number;
  headers: Headers;
  /** Parsed JSON when the content type is JSON, otherwise the text ('' for an empty body). */
  body: any;
  /** Raw Set-Cookie lines. */
  setCookies: string[];
}

export interface BrowserRequestInit {
  json?: unknown;
  form?: Record<string, string>;
  /** A raw body sent as is, for malformed payloads; set its content-type through `headers`. */
  body?: string;
  headers?: Record<string, string>;
  /** Send X-XSRF-TOKEN from the XSRF-TOKEN cookie when there is one (default true), as Angular does. */
  xsrf?: boolean;
  bearer?: string;
  /** Always manual: redirects are returned, never followed. */
  redirect?: 'manual';
  /**
   * Check the response against the app's OpenAPI document (default true): its status is
   * documented and its body matches the documented schema, else the request throws. Turn it off
   * only for deliberately undocumented probes (a malformed request the router answers on its own).
   */
  openapi?: boolean;
}

export interface ParsedSetCookie {
  name: string;
  value: string;
  /** Attribute names lower-cased; flags such as HttpOnly are `true`. */
  attributes: Record<string, string | true>;
}

export const DEFAULT_USER_AGENT = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36';

/**
 * A browser stand-in: one cookie jar (by name only; domain and path are ignored) over global fetch.
 * Every response is checked against the app's OpenAPI document (see `BrowserRequestInit.openapi`).
 */
export class BrowserClient {
  readonly cookies = new Map<string, string>();
  private readonly origin: string | undefined;
  private readonly userAgent: string;
  private readonly checkOpenApi: boolean;

  constructor(
    private readonly baseUrl: string,
    options: { origin?: string; userAgent?: string; openapi?: boolean } = {},
  ) {
    this.origin = options.origin;
    this.userAgent = options.userAgent ?? DEFAULT_USER_AGENT;
    this.checkOpenApi = options.openapi ?? true;
  }

  cookie(name: string): string | undefined {
    return this.cookies.get(name);
  }

  get(path: string, init?: BrowserRequestInit): Promise<ApiResponse> {
    return this.request('GET', path, init);
  }

  post(path: string, init?: BrowserRequestInit): Promise<ApiResponse> {
    return this.request('POST', path, init);
  }

  delete(path: string, init?: BrowserRequestInit): Promise<ApiResponse> {
    return this.request('DELETE', path, init);
  }

  async request(method: string, path: string, init: BrowserRequestInit = {}): Promise<ApiResponse> {
    const headers: Record<string, string> = {
      accept: 'application/json, text/plain, */*',
      'user-agent': this.userAgent,
    };
    if (this.origin !== undefined) headers.origin = this.origin;
    if (this.cookies.size > 0) {
      headers.cookie = [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
    }
    const xsrfToken = this.cookies.get('XSRF-TOKEN');
    if ((init.xsrf ?? true) && xsrfToken !== undefined) headers['x-xsrf-token'] = safeDecode(xsrfToken);
    if (init.bearer !== undefined) headers.authorization = `Bearer ${init.bearer}`;

    let body: string | undefined;
    if (init.json !== undefined) {
      body = JSON.stringify(init.json);
      headers['content-type'] = 'application/json';
    } else if (init.form !== undefined) {
      body = new URLSearchParams(init.form).toString();
      headers['content-type'] = 'application/x-www-form-urlencoded';
    } else {
      body = init.body;
    }
    Object.assign(headers, lowerCaseKeys(init.headers ?? {}));

    const response = await fetch(new URL(path, this.baseUrl), { method, headers, body, redirect: 'manual' });
    const setCookies = response.headers.getSetCookie();
    for (const line of setCookies) this.apply(parseSetCookie(line));
    const text = await response.text();
    const isJson = /\bjson\b/i.test(response.headers.get('content-type') ?? '');
    const result = { status: response.status, headers: response.headers, body: isJson && text !== '' ? JSON.parse(text) : text, setCookies };
    if ((init.openapi ?? this.checkOpenApi) && OpenApiValidator.covers(new URL(path, this.baseUrl).pathname)) {
      await assertDocumented(this.baseUrl, method, path, result);
    }
    return result;
  }

  private apply(cookie: ParsedSetCookie): void {
    const maxAge = cookie.attributes['max-age'];
    const expires = cookie.attributes.expires;
    const expired =
      cookie.value === '' ||
      (typeof maxAge === 'string' && Number(maxAge) <= 0) ||
      // Express's clearCookie sends an Expires date in 1970 rather than Max-Age=0.
      (maxAge === undefined && typeof expires === 'string' && Date.parse(expires) <= Date.now());
    if (expired) this.cookies.delete(cookie.name);
    else this.cookies.set(cookie.name, cookie.value);
  }
}

/** Throws when a response is not what the app's OpenAPI document says it can be. */
export async function assertDocumented(baseUrl: string, method: string, path: string, response: Omit<ApiResponse, 'setCookies'>): Promise<void> {
  const validator = await validatorFor(baseUrl);
  if (!validator) return;
  const url = new URL(path, baseUrl);
  const problems = validator.problems({ method, url: `${url.pathname}${url.search}`, status: response.status, headers: response.headers, body: response.body });
  if (problems.length > 0) {
    const body = typeof response.body === 'string' ? response.body : JSON.stringify(response.body);
    throw new Error(`The response does not match /api/docs-json:\n  ${problems.join('\n  ')}\nbody: ${body.slice(0, 800)}`);
  }
}

/** Splits one Set-Cookie line; the value is kept exactly as sent (not URL-decoded). */
export function parseSetCookie(line: string): ParsedSetCookie {
  const [pair = '', ...attributeParts] = line.split(';');
  const separator = pair.indexOf('=');
  const name = (separator === -1 ? '' : pair.slice(0, separator)).trim();
  let value = (separator === -1 ? pair : pair.slice(separator + 1)).trim();
  if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
  const attributes: Record<string, string | true> = {};
  for (const part of attributeParts) {
    const equals = part.indexOf('=');
    const key = (equals === -1 ? part : part.slice(0, equals)).trim().toLowerCase();
    if (key === '') continue;
    attributes[key] = equals === -1 ? true : part.slice(equals + 1).trim();
  }
  return { name, value, attributes };
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

function lowerCaseKeys(record: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(record).map(([key, value]) => [key.toLowerCase(), value]));
}

/**
 * A request with its header lines exactly as given, a header with several values sent as several lines
 * (fetch would join them into one); the body is parsed as JSON when it is, else returned as text.
 */
export function rawRequest(
  baseUrl: string,
  method: string,
  path: string,
  headers: Record<string, string | string[]>,
  body?: string,
): Promise<{ status: number; body: any }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(new URL(path, baseUrl), { method, headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => {
        let parsed: unknown = text;
        try {
          parsed = text === '' ? '' : JSON.parse(text);
        } catch {
          // not JSON: the text itself
        }
        resolve({ status: res.statusCode ?? 0, body: parsed });
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}
