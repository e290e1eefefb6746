import type { IncomingHttpHeaders, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { isIP } from 'node:net';
import { Injectable } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { parse as parseCookieHeader } from 'cookie';
import { type ClientContext, normaliseClientIp } from '../common/client-context.js';

/**
 * The request object of the HTTP adapter the host runs on: an Express `Request` or a Fastify
 * `FastifyRequest`. The library only reads what both have in common.
 */
export interface HttpRequest {
  headers: IncomingHttpHeaders;
  method?: string;
  /** The client address, honouring the adapter's trust-proxy setting (Express `trust proxy`, Fastify `trustProxy`). */
  ip?: string;
  body?: unknown;
  /** The request id (pino-http on Express, Fastify's own `request.id`). */
  id?: unknown;
  url?: string;
  socket?: { remoteAddress?: string };
  /** Every header line as sent, names and values alternating (Node's `rawHeaders`: Express, upgrade requests). */
  rawHeaders?: string[];
  /** The Node request behind a Fastify request, with its `rawHeaders`. */
  raw?: { rawHeaders?: string[] };
}

/** The response object of the HTTP adapter the host runs on: an Express `Response` or a Fastify `FastifyReply`. */
export type HttpResponse = object;

/** Attributes of a cookie the library writes; `maxAge` in seconds. */
export interface CookieAttributes {
  path: string;
  httpOnly?: boolean;
  secure?: boolean;
  sameSite: 'lax' | 'strict';
  maxAge?: number;
}

const MAX_USER_AGENT = 512;

/**
 * The only place that speaks to the HTTP platform (Express or Fastify): reading headers and cookies,
 * writing headers, cookies, answers, redirects and event streams. Everything goes through Nest's
 * `HttpAdapterHost`, so a host needs no extra setup on either adapter.
 */
@Injectable()
export class HttpEdge {
  constructor(private readonly adapterHost: HttpAdapterHost) {}

  /** One request header (names are lower case); repeated headers come joined as Node joins them. */
  header(req: HttpRequest, name: string): string | undefined {
    return requestHeader(req, name);
  }

  /**
   * Whether header `name` (lower case) was sent more than once. Node keeps only the first of some
   * repeated headers (`authorization` among them) and drops the others unseen, so `header()` cannot
   * tell; the raw header lines can. It scans them: call it only when the header is present.
   */
  isHeaderRepeated(req: HttpRequest, name: string): boolean {
    return isRepeatedHeader(req.rawHeaders ?? req.raw?.rawHeaders, name);
  }

  /** One cookie of the request by its exact, case-sensitive name; the first one wins when repeated. */
  cookie(req: HttpRequest, name: string): string | undefined {
    const header = this.header(req, 'cookie');
    if (!header) return undefined;
    const value = parseCookieHeader(header)[name];
    return typeof value === 'string' ? value : undefined;
  }

  /**
   * Every value of a cookie by its exact, case-sensitive name, in the order the browser sent them.
   * A browser sends several when cookies of one name differ in Domain or Path (a sibling subdomain
   * can plant one: cookie tossing); `cookie()` would silently see only the first.
   */
  cookies(req: HttpRequest, name: string): string[] {
    return cookieValues(this.header(req, 'cookie'), name);
  }

  /** The request method in upper case. */
  method(req: HttpRequest): string {
    return (req.method ?? 'GET').toUpperCase();
  }

  /** Where a request came from, as recorded on sessions and audit events. */
  clientContext(req: HttpRequest): ClientContext {
    const id = req.id;
    return {
      ip: clientIp(req),
      userAgent: (this.header(req, 'user-agent') ?? '').slice(0, MAX_USER_AGENT),
      requestId: typeof id === 'string' || typeof id === 'number' ? String(id).slice(0, 64) : null,
    };
  }

  /** Sets (replaces) a response header. */
  setHeader(res: HttpResponse, name: string, value: string): void {
    this.adapter.setHeader(res, name, value);
  }

  /** Appends a `Set-Cookie` header; every cookie set during a request is sent, on every platform. */
  setCookie(res: HttpResponse, name: string, value: string, attributes: CookieAttributes): void {
    this.adapter.setCookie(res, name, value, attributes);
  }

  /** Sends a complete answer (JSON for objects). */
  reply(res: HttpResponse, body: unknown, status: number): void {
    this.adapter.reply(res, body, status);
  }

  /**
   * Sends a redirect with an empty body. (The adapters' own `redirect` differs: Express writes an
   * HTML page of its own, Fastify nothing; the answer must be the same on both.) `url` must already
   * be a valid header value: the library's redirects come from `safeReturnTo`, which serialises them.
   */
  redirect(res: HttpResponse, status: number, url: string): void {
    this.adapter.setHeader(res, 'Location', url);
    this.adapter.reply(res, undefined, status);
  }

  /** Whether the answer has started (headers sent). */
  isHeadersSent(res: HttpResponse): boolean {
    return Boolean(this.adapter.isHeadersSent(res));
  }

  /**
   * Takes over the response as a plain Node `ServerResponse`, for answers written piece by piece
   * (event streams, exports): on Fastify the reply is hijacked so Fastify sends nothing itself.
   * Headers set on a Fastify reply (by the host's hooks and plugins, or the library's guards) wait in
   * the reply until Fastify sends it, which a hijacked reply never is: they are carried over to the
   * raw response first, so the stream has the same headers as any other answer of the host.
   */
  takeOver(res: HttpResponse): ServerResponse {
    const reply = res as { hijack?: () => void; raw?: ServerResponse; getHeaders?: () => OutgoingHttpHeaders };
    if (typeof reply.hijack === 'function' && reply.raw) {
      const raw = reply.raw;
      for (const [name, value] of Object.entries(reply.getHeaders?.() ?? {})) {
        if (value !== undefined) raw.setHeader(name, value);
      }
      reply.hijack();
      return raw;
    }
    return res as ServerResponse;
  }

  private get adapter() {
    const adapter = this.adapterHost.httpAdapter;
    if (!adapter) throw new Error('AuthSessionsModule: no HTTP adapter is available; the library needs an HTTP application (Express or Fastify).');
    return adapter;
  }
}

/**
 * Every value of the cookie `name` in a `Cookie` header. The `cookie` package keeps only the first
 * of repeated names, so the header is split into its `name=value` pairs here (RFC 6265 §4.2.1:
 * pairs are separated by `;`, and neither names nor values may contain one) and each pair with the
 * right name is handed to the package, which does the unquoting and decoding.
 */
export function cookieValues(header: string | undefined, name: string): string[] {
  if (!header) return [];
  const values: string[] = [];
  for (const pair of header.split(';')) {
    const equals = pair.indexOf('=');
    if (equals === -1 || pair.slice(0, equals).trim() !== name) continue;
    const value = parseCookieHeader(pair)[name];
    if (typeof value === 'string') values.push(value);
  }
  return values;
}

/** Whether the raw header lines (`rawHeaders`: name, value, name, value…) name header `name` (lower case) twice or more. */
export function isRepeatedHeader(rawHeaders: readonly string[] | undefined, name: string): boolean {
  if (!rawHeaders) return false;
  let seen = 0;
  for (let index = 0; index < rawHeaders.length; index += 2) {
    const candidate = rawHeaders[index];
    // Comparing lengths first keeps this to a few integer checks for a request's usual headers.
    if (candidate.length === name.length && candidate.toLowerCase() === name && ++seen > 1) return true;
  }
  return false;
}

/**
 * The client IP the adapter reports (`req.ip`, which honours its trust-proxy setting), when it is an
 * IP address. A trusted `X-Forwarded-For` is whatever the client or a proxy wrote (`<b>hi</b>`, 300
 * characters, `10.90.24271.1`): that is recorded as nothing of the sort, but as the peer's address,
 * which the socket vouches for.
 */
function clientIp(req: Pick<HttpRequest, 'ip' | 'socket'>): string {
  const reported = req.ip?.trim();
  if (reported && isIP(reported) !== 0) return normaliseClientIp(reported);
  return normaliseClientIp(req.socket?.remoteAddress ?? '');
}

/** One request header of either adapter's request (names are lower case). */
export function requestHeader(req: Pick<HttpRequest, 'headers'>, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value.join(', ') : value;
}
