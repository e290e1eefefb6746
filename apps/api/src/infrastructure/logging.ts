import type { IncomingMessage, ServerResponse } from 'node:http';
import type { LoggerService } from '@nestjs/common';
import { type DestinationStream, type Level, type LoggerOptions, pino } from 'pino';
import type { Options as HttpOptions } from 'pino-http';
import { PinoPretty } from 'pino-pretty';
import type { AppConfig } from '../config/app-config.js';
import { requestIdOf } from '../http/request-id.js';

type LogSettings = Pick<AppConfig, 'logFormat' | 'logLevel' | 'logHeaders'>;

/** Where log lines go and in which shape: JSON for machines, or one readable line each for a terminal. */
export interface LogOutput {
  pretty: boolean;
  stream: DestinationStream;
  options: LoggerOptions;
}

// Nest's own start-up chatter (one line per module and route): kept in JSON, left out for people.
const START_UP_CHATTER = new Set(['InstanceLoader', 'RoutesResolver', 'RouterExplorer', 'NestFactory', 'NestApplication']);
const LOGGED = Symbol('signoff.request-logged');

let output: LogOutput | undefined;

/**
 * One output per process, shared by the start-up logger and the app's: pretty when LOG_FORMAT says so
 * or (auto) when stdout is a terminal. Writes are synchronous, so the last line before an exit is not lost.
 */
export function logOutput(settings: LogSettings): LogOutput {
  if (output) return output;
  const pretty = settings.logFormat === 'pretty' || (settings.logFormat === 'auto' && process.stdout.isTTY === true);
  const stream = pretty
    ? PinoPretty({
        sync: true,
        translateTime: 'SYS:HH:MM:ss',
        ignore: 'pid,hostname,context,req,res,responseTime,reqId',
        messageFormat: '{if context}{context}: {end}{msg}',
        singleLine: true,
      })
    : pino.destination({ dest: 1, sync: true });
  const options: LoggerOptions = {
    level: settings.logLevel,
    hooks: pretty
      ? {
          logMethod(args, method, level) {
            const first = args[0] as { context?: unknown } | undefined;
            if (level <= 30 && typeof first === 'object' && first !== null && START_UP_CHATTER.has(String(first.context))) return;
            method.apply(this, args);
          },
        }
      : {},
  };
  output = { pretty, stream, options };
  return output;
}

/** A logger for the steps before Nest starts (finding PostgreSQL and Redis, migrations), in the same output. */
export function startupLogger(settings: LogSettings): LoggerService {
  const { stream, options } = logOutput(settings);
  const logger = pino(options, stream);
  const write =
    (level: Level) =>
    (message: unknown, ...rest: unknown[]): void => {
      const context = typeof rest[rest.length - 1] === 'string' ? (rest.pop() as string) : undefined;
      const stack = level === 'error' && typeof rest[0] === 'string' ? rest[0] : undefined;
      if (message instanceof Error) logger[level]({ context, err: message }, message.message);
      else if (typeof message === 'object' && message !== null) logger[level]({ context, ...message });
      else logger[level]({ context, ...(stack ? { stack } : {}) }, String(message));
    };
  return { log: write('info'), error: write('error'), warn: write('warn'), debug: write('debug'), verbose: write('trace'), fatal: write('fatal') };
}

/** Query parameters that carry a credential or a one-time secret in someone's URL: their values are never logged. */
const SECRET_QUERY_PARAMETERS = new Set([
  'code',
  'state',
  'nonce',
  'code_verifier',
  'id_token',
  'id_token_hint',
  'logout_token',
  'access_token',
  'refresh_token',
  'token',
  'session_state',
  '_csrf',
]);

/**
 * A request URL as logged: the values of `SECRET_QUERY_PARAMETERS` replaced (the identity provider
 * sends the authorization code and state to the callback in its query string), the rest as sent.
 */
export function loggedUrl(url: string | undefined): string {
  if (!url) return '';
  const mark = url.indexOf('?');
  if (mark === -1) return url;
  const query = new URLSearchParams(url.slice(mark + 1));
  let changed = false;
  for (const name of new Set(query.keys())) {
    if (!SECRET_QUERY_PARAMETERS.has(name.toLowerCase())) continue;
    query.set(name, '[redacted]');
    changed = true;
  }
  return changed ? `${url.slice(0, mark)}?${query.toString()}` : url;
}

/**
 * pino-http for the app: one line per request (method, path, status, time, request id, client
 * address), never a header unless LOG_HEADERS=true (then with cookies, tokens and XSRF values redacted); secret query
 * parameters are redacted from every URL (`loggedUrl`).
 */
export function httpLogging(settings: LogSettings): [HttpOptions, DestinationStream] {
  const { pretty, stream, options } = logOutput(settings);
  const headers = settings.logHeaders;
  return [
    {
      ...options,
      genReqId: (req: IncomingMessage, res: ServerResponse) => {
        const id = requestIdOf(req);
        res.setHeader('X-Request-Id', id);
        return id;
      },
      // Lines logged while handling a request carry its id, not the whole request.
      quietReqLogger: true,
      serializers: {
        req: (req: { id: string; method: string; url: string; remoteAddress?: string; headers?: unknown }) => ({
          id: req.id,
          method: req.method,
          url: loggedUrl(req.url),
          remoteAddress: req.remoteAddress,
          ...(headers ? { headers: req.headers } : {}),
        }),
        res: (res: { statusCode: number; headers?: unknown }) => ({ statusCode: res.statusCode, ...(headers ? { headers: res.headers } : {}) }),
      },
      // Tokens never reach a log line: cookies, bearer tokens and XSRF values are redacted.
      redact: {
        // The single sign-on redirect's Location carries its state and nonce.
        paths: ['req.headers.cookie', 'req.headers.authorization', 'req.headers["x-xsrf-token"]', 'res.headers["set-cookie"]', 'res.headers.location'],
        censor: '[redacted]',
      },
      autoLogging: {
        ignore: (req: IncomingMessage) => {
          // The middleware runs twice for routes outside the global prefix (/metrics): log them once.
          const seen = req as IncomingMessage & { [LOGGED]?: boolean };
          if (seen[LOGGED]) return true;
          seen[LOGGED] = true;
          return req.url === '/api/health';
        },
      },
      ...(pretty
        ? {
            customSuccessMessage: (req: IncomingMessage, res: ServerResponse, ms: number) => `${req.method} ${loggedUrl(req.url)} ${res.statusCode} ${ms} ms`,
            customErrorMessage: (req: IncomingMessage, res: ServerResponse) => `${req.method} ${loggedUrl(req.url)} ${res.statusCode} failed`,
          }
        : {}),
    },
    stream,
  ];
}
