import type { IncomingHttpHeaders } from 'node:http';
import { type BeforeApplicationShutdown, Inject, Injectable, Logger, type OnApplicationShutdown, Optional } from '@nestjs/common';
import { AUTH_SESSIONS_OPTIONS } from '../auth-sessions.module-definition.js';
import type { ResolvedAuthSessionsOptions } from '../auth-sessions.options.js';
import { SecurityEvents } from '../audit/security-events.js';
import { BearerAuthenticator } from '../sessions/bearer-authenticator.js';
import { type RequestAuth, requestAuth } from '../sessions/request-auth.js';
import { SessionBus, type SessionChange } from '../sessions/session-bus.js';
import type { SessionEndReason } from '../common/session-end-reason.js';
import { CrossSiteRequestError, SessionRejectedError, StoreUnavailableError, type UnauthenticatedCode } from '../sessions/session.errors.js';
import { type AuthenticationResult, SessionsService } from '../sessions/sessions.service.js';
import { type AuthenticatedConnection, CONNECTION_AUTH } from './execution-target.js';
import { resolvePresentedSession } from './presented-session.js';
import { HttpEdge } from './http-edge.js';
import { refusedCredentialEvent } from './refused-credential-event.js';
import { isOriginAllowed } from './request-forgery.js';
import { securityEventSource } from './security-event-source.js';
import { SessionCookies } from './session-cookies.js';
import { translateStoreErrors } from './store-errors.js';

/** The WebSocket close code of a connection whose session ended (or was never valid): like HTTP 401. */
export const SESSION_ENDED_CLOSE_CODE = 4401;
/** The socket.io event a socket receives, with `{ reason }`, just before it is disconnected (socket.io has no close codes). */
export const SESSION_ENDED_EVENT = 'logout';
/** The WebSocket close code of a handshake refused by the Origin rule (like HTTP 403). */
export const FORBIDDEN_CLOSE_CODE = 4403;
/** The WebSocket close code of a handshake that could not be checked (PostgreSQL or Redis down): "try again later". */
export const TRY_AGAIN_LATER_CLOSE_CODE = 1013;
/** The WebSocket close code of a handshake that failed for another reason (logged): "internal error". */
const INTERNAL_ERROR_CLOSE_CODE = 1011;
/** How long a shutdown waits for the connections it closed to finish closing before Nest cuts them. */
const SHUTDOWN_CLOSE_WAIT_MS = 1000;
/** `WebSocket.CLOSED`. */
const WEBSOCKET_CLOSED = 3;
/** The WebSocket close code when this instance shuts down: "going away", reconnect to another instance. */
export const SHUTDOWN_CLOSE_CODE = 1001;

// setTimeout cannot wait longer than about 24.8 days.
const MAX_TIMER_MS = 2_147_000_000;

/**
 * The upgrade (handshake) request of a connection: Node's `IncomingMessage` (ws, graphql-ws,
 * socket.io's `socket.request`) or Fastify's request (Mercurius subscriptions).
 */
export interface HandshakeRequest {
  headers: IncomingHttpHeaders;
  /** Node's raw header lines, to see a repeated Authorization header (`HttpEdge.isHeaderRepeated`). */
  rawHeaders?: string[];
}

/** What a client sent besides its headers: a bearer token in its connection payload. */
export interface HandshakeCredentials {
  /**
   * A payload the client chose (graphql-ws `connectionParams`, socket.io `auth`, Mercurius
   * `connection_init`): `authorization: 'Bearer <access token>'` (or `Authorization`) or
   * `token: '<access token>'`. Browsers cannot set headers on a WebSocket upgrade, so this is
   * how a browser client that holds an access token presents it.
   */
  payload?: unknown;
}

/** How a tracked connection is told that its session ended. */
export type ConnectionCloser = (code: number, reason: string) => void;

/** One open connection of this instance. */
interface Tracked {
  connection: object;
  auth: RequestAuth;
  close: ConnectionCloser;
  expiry: NodeJS.Timeout | undefined;
  isClosed: boolean;
}

/**
 * The authenticated long-lived connections of this instance: WebSocket gateway clients (ws and
 * socket.io) and GraphQL subscription connections (graphql-ws, Mercurius).
 *
 * - **At the handshake** (`authenticate`, `accept`): the connection is authenticated like an HTTP
 *   request: an `Authorization: Bearer` header on the upgrade, or a bearer in the client's
 *   connection payload, alone; otherwise the session cookie, and then the upgrade's `Origin` must
 *   be absent or the public origin (a page on another origin must not ride the cookie:
 *   cross-site WebSocket hijacking). The auth is kept on the connection under `CONNECTION_AUTH`,
 *   where the global guard and the decorators (`@CurrentUser()`, …) find it for every message.
 * - **While open**: a session that ends anywhere (any path, any instance) closes its connections
 *   through the session bus within the bus's bound (2 s while Redis is up); each heartbeat
 *   (`eventsHeartbeatMs`) re-checks every connection's session, so a missed message still closes it
 *   within one heartbeat, and a timer fires at the session's expiry — the design of the SSE stream.
 * - **Closing**: a WebSocket (ws, graphql-ws, Mercurius) is closed with code 4401 and the end reason
 *   (`revoked_by_admin`, …) as the close reason; socket.io has no close codes, so a socket.io socket
 *   gets the event `logout` with `{ reason }` and is then disconnected. A refused handshake closes
 *   with 4401 (the 401's reason or code), 4403 `origin_not_allowed` or 1013 `service_unavailable`
 *   (socket.io: `logout`, or `refused` with `{ reason }`); a shutdown with 1001 (socket.io: `reconnect`).
 *
 * Nothing here imports a WebSocket or GraphQL package: connections are duck-typed.
 */
@Injectable()
export class ConnectionSessions implements BeforeApplicationShutdown, OnApplicationShutdown {
  private readonly logger = new Logger('AuthSessions');
  private readonly tracked = new Map<object, Tracked>();
  private readonly heartbeat: NodeJS.Timeout;

  constructor(
    bus: SessionBus,
    private readonly sessions: SessionsService,
    private readonly bearer: BearerAuthenticator,
    private readonly cookies: SessionCookies,
    private readonly edge: HttpEdge,
    @Inject(AUTH_SESSIONS_OPTIONS) private readonly options: ResolvedAuthSessionsOptions,
    // Optional only so an instance built by hand (unit tests) needs none; the module always provides it.
    @Optional() private readonly securityEvents?: SecurityEvents,
  ) {
    bus.onChange((change) => this.onChange(change));
    this.heartbeat = setInterval(() => void this.recheckAll(), options.eventsHeartbeatMs);
    this.heartbeat.unref();
  }

  /** Number of open tracked connections on this instance. */
  get size(): number {
    return this.tracked.size;
  }

  /**
   * Authenticates a WebSocket handshake (see the class notes for the rules).
   * @param request the upgrade request
   * @param credentials the client's connection payload, for a bearer token
   * @returns the auth of the connection
   * @throws SessionRejectedError (401) when no valid credential is presented, CrossSiteRequestError
   *   (403 `origin_not_allowed`) for a cookie from another origin, StoreUnavailableError (503)
   */
  async authenticate(request: HandshakeRequest, credentials: HandshakeCredentials = {}): Promise<RequestAuth> {
    return translateStoreErrors(async () => {
      const header = this.edge.header(request, 'authorization');
      // As for HTTP requests (SessionGuard): several Authorization headers are no credential anyone can tell.
      if (header !== undefined && this.edge.isHeaderRepeated(request, 'authorization')) throw new SessionRejectedError('unauthenticated');
      const authorization = header ?? bearerFromPayload(credentials.payload);
      if (authorization !== undefined) {
        const result = await this.bearer.authenticate(authorization);
        if (!result.ok) this.refuseCredential(request, result, true);
        await this.sessions.recordActivity(result.session);
        return requestAuth(result.session, result.user, 'bearer', result.expiresAt);
      }
      // Several session cookies (cookie tossing): the one live session they name; several live ones is no one.
      const presented = await resolvePresentedSession(this.edge.cookies(request, this.cookies.sessionCookieName), (token) => this.sessions.authenticate(token));
      if (presented.kind !== 'one') throw new SessionRejectedError('unauthenticated');
      const result = presented.result;
      if (!result.ok) this.refuseCredential(request, result, false);
      if (!isOriginAllowed(request, this.options.publicOrigin)) {
        // A page on another origin riding the cookie: cross-site WebSocket hijacking.
        this.securityEvents?.record('malicious_csrf', securityEventSource(this.edge, request), {
          code: 'origin_not_allowed',
          sessionId: result.session.id,
          userId: result.user.id,
        });
        throw new CrossSiteRequestError('origin_not_allowed');
      }
      await this.sessions.recordActivity(result.session);
      return requestAuth(result.session, result.user, 'cookie', result.expiresAt);
    });
  }

  /** Logs a handshake's refused credential as the guard logs a request's (AUD-06), and throws its 401. */
  private refuseCredential(request: HandshakeRequest, result: Extract<AuthenticationResult, { ok: false }>, isBearer: boolean): never {
    const refused = refusedCredentialEvent(result, isBearer);
    if (refused) this.securityEvents?.record(refused.event, securityEventSource(this.edge, request), refused.details);
    throw new SessionRejectedError(result.code, result.reason);
  }

  /**
   * Keeps `auth` on the connection (`CONNECTION_AUTH`) and closes the connection when its session
   * ends. `close` defaults to what the connection is: socket.io (`logout` event, then disconnect)
   * or a WebSocket (`close(code, reason)`). The connection is forgotten when it closes.
   * @param also other objects that should carry the auth too (the upgrade request of a GraphQL
   *   subscription connection, which its operations' contexts expose)
   */
  track(connection: object, auth: RequestAuth, options: { close?: ConnectionCloser; also?: object[] } = {}): void {
    for (const carrier of [connection, ...(options.also ?? [])]) (carrier as AuthenticatedConnection)[CONNECTION_AUTH] = auth;
    const existing = this.tracked.get(connection);
    if (existing) this.forget(existing);
    const tracked: Tracked = { connection, auth, close: options.close ?? closerOf(connection), expiry: undefined, isClosed: false };
    this.tracked.set(connection, tracked);
    this.scheduleExpiryCheck(tracked, auth.expiresAt);
    onClosed(connection, () => this.forget(tracked));
  }

  /**
   * The helper a `ws` gateway calls in `handleConnection`: authenticates the handshake and tracks
   * the connection, or closes it (4401 with the 401's reason or code; 4403, 1013) and returns
   * undefined. Until it resolves the WebSocket is paused, so no message reaches a handler before
   * the connection is authenticated (Nest binds the handlers right after `handleConnection`).
   *
   * ```ts
   * @WebSocketGateway({ path: '/ws' })
   * export class ChatGateway implements OnGatewayConnection {
   *   constructor(private readonly connections: ConnectionSessions) {}
   *   handleConnection(client: WebSocket, request: IncomingMessage) { return this.connections.accept(client, request); }
   * }
   * ```
   * For socket.io prefer `socketIoMiddleware()`: socket.io sockets cannot be paused.
   * @param connection a `ws` WebSocket (or a socket.io `Socket`)
   * @param request the upgrade request; defaults to socket.io's `socket.request`
   * @param credentials a connection payload; defaults to socket.io's `socket.handshake.auth`
   */
  async accept(connection: object, request?: HandshakeRequest, credentials?: HandshakeCredentials): Promise<RequestAuth | undefined> {
    const handshake = request ?? socketIoRequestOf(connection);
    const pausable = connection as { pause?: () => void; resume?: () => void };
    const isPaused = !isSocketIo(connection) && typeof pausable.pause === 'function' && typeof pausable.resume === 'function';
    if (isPaused) pausable.pause!();
    try {
      if (!handshake) throw new SessionRejectedError('unauthenticated');
      const auth = await this.authenticate(handshake, credentials ?? { payload: socketIoAuthOf(connection) });
      if (isClosedConnection(connection)) return undefined;
      this.track(connection, auth);
      if (isPaused) pausable.resume!();
      return auth;
    } catch (error) {
      this.refuse(connection, error);
      // The closing handshake needs the client's close frame read (else ws waits 30 s); any message
      // read meanwhile meets the guard without auth and is refused.
      if (isPaused) pausable.resume!();
      return undefined;
    }
  }

  /**
   * A socket.io middleware that authenticates each handshake before the connection is made
   * (`socket.request` and `socket.handshake.auth`: `{ token }` or `{ authorization: 'Bearer …' }`)
   * and tracks the socket; a refused handshake gets `connect_error` with the reason as message and
   * `data: { code, reason }` (4401, 4403, 1013). Install it in the gateway's `afterInit`:
   *
   * ```ts
   * @WebSocketGateway()
   * export class ChatGateway implements OnGatewayInit {
   *   constructor(private readonly connections: ConnectionSessions) {}
   *   afterInit(server: Server) { server.use(this.connections.socketIoMiddleware()); }
   * }
   * ```
   */
  socketIoMiddleware(): (socket: object, next: (error?: Error) => void) => void {
    return (socket, next) => {
      const request = socketIoRequestOf(socket);
      const authenticated = request
        ? this.authenticate(request, { payload: socketIoAuthOf(socket) })
        : Promise.reject(new SessionRejectedError('unauthenticated'));
      authenticated.then(
        (auth) => {
          this.track(socket, auth);
          next();
        },
        (error: unknown) => {
          const rejection = this.rejectionOf(error);
          next(Object.assign(new Error(rejection.reason), { data: rejection }));
        },
      );
    };
  }

  /**
   * Closes a connection whose handshake `authenticate` refused: 4401 with the 401's reason or code,
   * 4403 `origin_not_allowed`, 1013 `service_unavailable` (socket.io: the event `logout`, or
   * `refused` for a 403 or 503, with `{ reason }`, then disconnect). Any other error (the host's
   * users provider failed) is logged and closes with 1011 `internal_error`; nothing is thrown.
   */
  refuse(connection: object, error: unknown, close: ConnectionCloser = closerOf(connection)): void {
    try {
      const rejection = this.rejectionOf(error);
      close(rejection.code, rejection.reason);
    } catch (closeError) {
      this.logger.warn(`Could not close a refused connection: ${(closeError as Error).message}`);
    }
  }

  private rejectionOf(error: unknown): { code: number; reason: string } {
    const rejection = handshakeRejection(error);
    if (rejection) return rejection;
    this.logger.error(`A WebSocket handshake could not be checked: ${(error as Error)?.stack ?? String(error)}`);
    return { code: INTERNAL_ERROR_CLOSE_CODE, reason: 'internal_error' };
  }

  /** Closes every connection of a session on this instance (the guard found it ended). */
  closeSession(sessionId: string, reason: SessionEndReason | UnauthenticatedCode): void {
    for (const tracked of [...this.tracked.values()]) {
      if (tracked.auth.session.id === sessionId) this.end(tracked, SESSION_ENDED_CLOSE_CODE, reason);
    }
  }

  /**
   * Closes every connection with 1001 (socket.io: `reconnect` event) so clients reconnect to another
   * instance, and waits (at most `SHUTDOWN_CLOSE_WAIT_MS`) for each to finish closing. Nest closes the
   * gateways' servers right after this hook (the ws adapter terminates its clients, socket.io cuts
   * them), and a cut socket loses what it had not delivered: in `onApplicationShutdown` the sockets
   * were already gone, and clients saw 1006 without a reason.
   */
  async beforeApplicationShutdown(): Promise<void> {
    clearInterval(this.heartbeat);
    const closing = [...this.tracked.values()].map((tracked) => {
      // Listening first: socket.io reports its disconnect synchronously.
      const closed = closedSignal(tracked.connection);
      this.end(tracked, SHUTDOWN_CLOSE_CODE, 'server_shutdown');
      return closed;
    });
    if (closing.length === 0) return;
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, SHUTDOWN_CLOSE_WAIT_MS);
      timer.unref();
    });
    try {
      await Promise.race([Promise.all(closing), deadline]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** The same, for a connection tracked after the first hook (there is none unless a host calls the hooks itself). */
  onApplicationShutdown(): Promise<void> {
    return this.beforeApplicationShutdown();
  }

  private onChange(change: SessionChange): void {
    if (change.reason === null) return;
    for (const tracked of [...this.tracked.values()]) {
      const sessionId = tracked.auth.session.id;
      const isEnded =
        change.sessionIds.includes(sessionId) || (change.allOfUser && change.userId === tracked.auth.session.userId && sessionId !== change.exceptSessionId);
      if (isEnded) this.end(tracked, SESSION_ENDED_CLOSE_CODE, change.reason);
    }
  }

  private async recheckAll(): Promise<void> {
    await Promise.all([...this.tracked.values()].map((tracked) => this.recheck(tracked)));
  }

  private async recheck(tracked: Tracked): Promise<void> {
    let result;
    try {
      result = await this.sessions.authenticateById(tracked.auth.session.id);
    } catch {
      return; // The store is unreachable: the session cannot be judged now; the next heartbeat tries again.
    }
    if (tracked.isClosed) return;
    if (result.ok) {
      tracked.auth = { ...tracked.auth, session: result.session, user: result.user, expiresAt: result.expiresAt };
      (tracked.connection as AuthenticatedConnection)[CONNECTION_AUTH] = tracked.auth;
      this.scheduleExpiryCheck(tracked, result.expiresAt);
    } else {
      this.end(tracked, SESSION_ENDED_CLOSE_CODE, result.reason ?? 'logout');
    }
  }

  private scheduleExpiryCheck(tracked: Tracked, expiresAt: Date): void {
    clearTimeout(tracked.expiry);
    const wait = Math.min(Math.max(0, expiresAt.getTime() - Date.now()) + 50, MAX_TIMER_MS);
    tracked.expiry = setTimeout(() => void this.recheck(tracked), wait);
    tracked.expiry.unref();
  }

  private end(tracked: Tracked, code: number, reason: string): void {
    if (tracked.isClosed) return;
    this.forget(tracked);
    try {
      tracked.close(code, reason);
    } catch (error) {
      this.logger.warn(`Could not close a connection: ${(error as Error).message}`);
    }
  }

  private forget(tracked: Tracked): void {
    tracked.isClosed = true;
    clearTimeout(tracked.expiry);
    if (this.tracked.get(tracked.connection) === tracked) this.tracked.delete(tracked.connection);
  }
}

/**
 * The `Authorization` value a connection payload carries: `authorization` (or `Authorization`) as
 * it is, or `token` as a bearer; undefined when it names none. A credential that is there but not a
 * string (`42`, `{}`, `null`) is not taken for no credential, which would let the cookie answer
 * for it (as a present `Authorization` header is a request's only credential): it comes back as an
 * empty value, which no session matches (4401).
 */
export function bearerFromPayload(payload: unknown): string | undefined {
  if (typeof payload !== 'object' || payload === null) return undefined;
  const record = payload as Record<string, unknown>;
  for (const name of ['authorization', 'Authorization']) {
    const value = record[name];
    if (value !== undefined) return typeof value === 'string' ? value : MALFORMED_CREDENTIAL;
  }
  const token = record['token'];
  if (token === undefined) return undefined;
  return typeof token === 'string' ? `Bearer ${token}` : MALFORMED_CREDENTIAL;
}

/** What a credential that is not a string reads as: an `Authorization` value no session matches. */
const MALFORMED_CREDENTIAL = '';

/** The close code and reason of a refused handshake: 4401 with the 401's reason or code, 4403 or 1013 with the code. */
function handshakeRejection(error: unknown): { code: number; reason: string } | undefined {
  if (error instanceof SessionRejectedError) return { code: SESSION_ENDED_CLOSE_CODE, reason: error.reason ?? error.code };
  if (error instanceof CrossSiteRequestError) return { code: FORBIDDEN_CLOSE_CODE, reason: 'origin_not_allowed' };
  if (error instanceof StoreUnavailableError) return { code: TRY_AGAIN_LATER_CLOSE_CODE, reason: 'service_unavailable' };
  return undefined;
}

interface SocketIoLike {
  emit(event: string, ...args: unknown[]): unknown;
  disconnect(close?: boolean): unknown;
  handshake: { auth?: unknown };
  request?: HandshakeRequest;
  connected?: boolean;
}

function isSocketIo(connection: object): connection is SocketIoLike {
  const socket = connection as Partial<SocketIoLike>;
  return typeof socket.emit === 'function' && typeof socket.disconnect === 'function' && typeof socket.handshake === 'object' && socket.handshake !== null;
}

function socketIoRequestOf(connection: object): HandshakeRequest | undefined {
  return isSocketIo(connection) && typeof connection.request?.headers === 'object' ? connection.request : undefined;
}

function socketIoAuthOf(connection: object): unknown {
  return isSocketIo(connection) ? connection.handshake.auth : undefined;
}

/** How to tell a connection its session ended, from what it is. */
function closerOf(connection: object): ConnectionCloser {
  if (isSocketIo(connection)) {
    return (code, reason) => {
      const event = code === SESSION_ENDED_CLOSE_CODE ? SESSION_ENDED_EVENT : code === SHUTDOWN_CLOSE_CODE ? 'reconnect' : 'refused';
      connection.emit(event, { reason });
      connection.disconnect(true);
    };
  }
  const socket = connection as { close?: (code: number, reason: string) => void; terminate?: () => void };
  if (typeof socket.close === 'function') return (code, reason) => socket.close!(code, reason);
  return () => {
    throw new Error('this connection has neither close() (WebSocket) nor emit()/disconnect() (socket.io): pass `close` to track()');
  };
}

function isClosedConnection(connection: object): boolean {
  if (isSocketIo(connection)) return connection.connected === false;
  const readyState = (connection as { readyState?: unknown }).readyState;
  return typeof readyState === 'number' && readyState >= 2; // CLOSING or CLOSED
}

/**
 * Resolves once the connection's transport has closed: a WebSocket's `close` event (after the closing
 * handshake, when its TCP socket is closed); for socket.io, which reports `disconnect` before its
 * transport has written anything, the TCP socket of its handshake request.
 */
function closedSignal(connection: object): Promise<void> {
  const emitter = isSocketIo(connection) ? (connection.request as { socket?: unknown } | undefined)?.socket : connection;
  const closable = emitter as { once?: (event: 'close', listener: () => void) => void; readyState?: unknown; destroyed?: unknown } | undefined;
  if (typeof closable?.once !== 'function' || closable.destroyed === true || closable.readyState === WEBSOCKET_CLOSED) return Promise.resolve();
  return new Promise((resolve) => closable.once!('close', () => resolve()));
}

/** Runs `listener` once the connection closes: `disconnect` (socket.io) or `close` (WebSocket). */
function onClosed(connection: object, listener: () => void): void {
  const emitter = connection as { once?: (event: string, listener: () => void) => void };
  if (typeof emitter.once !== 'function') return;
  emitter.once(isSocketIo(connection) ? 'disconnect' : 'close', listener);
}
