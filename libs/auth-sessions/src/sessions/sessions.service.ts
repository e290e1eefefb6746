import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { isUUID } from 'class-validator';
import type { EntityManager } from 'typeorm';
import { AUTH_SESSIONS_OPTIONS } from '../auth-sessions.module-definition.js';
import type { ResolvedAuthSessionsOptions } from '../auth-sessions.options.js';
import { AuditLogService } from '../audit/audit-log.service.js';
import type { ClientContext } from '../common/client-context.js';
import { parseDeviceInfo } from './device-info.js';
import { Places } from '../places/places.service.js';
import type { SignoffUser } from '../users/users-provider.js';
import { ReauthRequiredError, type UnauthenticatedCode } from './session.errors.js';
import { Session, type SessionKind } from './session.entity.js';
import type { SessionEndReason } from '../common/session-end-reason.js';
import { SessionBus } from './session-bus.js';
import { type CachedSession, SessionCache } from './session-cache.js';
import { SessionRepository, type SessionWithEpoch } from './session.repository.js';
import { expiresAtOf, sessionStateAt } from './session-state.js';
import { generateSessionToken, hashesEqual, hashSessionToken, isWellFormedSessionToken, sessionTokenDigest } from './session-token.js';

/** The outcome of checking a presented session token. */
export type AuthenticationResult =
  | { ok: true; session: Session; user: SignoffUser; expiresAt: Date }
  | {
      ok: false;
      code: UnauthenticatedCode;
      reason?: SessionEndReason;
      /** The ended or expired session the credential named, for the security log (AUD-06); never in an answer. */
      ended?: EndedSessionRef;
    };

/** Which session, and whose, a refused credential named. */
export interface EndedSessionRef {
  id: string;
  userId: string;
}

/** A session just opened or rotated, with the only copy of its token. */
export interface IssuedSession {
  session: Session;
  token: string;
  expiresAt: Date;
}

/** Where a session signed in through single sign-on came from: the provider, its subject and its session. */
export interface SessionSsoOrigin {
  issuer: string;
  subject: string;
  sid: string | null;
}

const ACTIVITY_WRITE_INTERVAL_MS = 60_000;

const tokenCacheKey = (digest: string): string => `token:${digest}`;
const sessionCacheKey = (sessionId: string): string => `session:${sessionId}`;

/** A cached active session judged now: it may have expired or reached its user's epoch since it was cached. */
function resultOf(entry: CachedSession, now: Date): AuthenticationResult {
  const state = sessionStateAt(entry.found.session, entry.found.userEpoch, now);
  const ended = { id: entry.found.session.id, userId: entry.found.session.userId };
  if (state.status === 'ended') return { ok: false, code: 'session_ended', reason: state.reason, ended };
  if (state.status === 'expired') return { ok: false, code: 'session_expired', reason: state.reason, ended };
  return { ok: true, session: entry.found.session, user: entry.user, expiresAt: state.expiresAt };
}

/**
 * Opens, checks and rotates sessions. PostgreSQL is the source of truth: a check is served from
 * the instance cache only while that cache may be trusted (SessionBus), else from PostgreSQL.
 */
@Injectable()
export class SessionsService {
  constructor(
    private readonly sessions: SessionRepository,
    private readonly auditLog: AuditLogService,
    private readonly cache: SessionCache,
    private readonly bus: SessionBus,
    @Inject(AUTH_SESSIONS_OPTIONS) private readonly options: ResolvedAuthSessionsOptions,
    private readonly places: Places,
  ) {}

  /**
   * Checks a session token. Malformed values never reach the database; unknown, ended and expired
   * sessions come back with the contract's code and reason. Active sessions are served from the
   * instance cache while it may be trusted (see SessionBus), else from PostgreSQL.
   */
  async authenticate(token: string, now = new Date()): Promise<AuthenticationResult> {
    if (!isWellFormedSessionToken(token)) return { ok: false, code: 'unauthenticated' };
    const digest = sessionTokenDigest(token);
    return this.authenticateThroughCache(tokenCacheKey(digest), now, async () => {
      const tokenHash = Buffer.from(digest, 'base64url');
      const found = await this.sessions.findByTokenHash(tokenHash);
      // The lookup is by hash; the constant-time comparison guards against any lookup that is not exact.
      return found && hashesEqual(found.session.tokenHash, tokenHash) ? found : null;
    });
  }

  /** Checks a session by id (bearer tokens name their session by `sid`), like `authenticate`. */
  authenticateById(sessionId: string, now = new Date()): Promise<AuthenticationResult> {
    return this.authenticateThroughCache(sessionCacheKey(sessionId), now, () => this.sessions.findById(sessionId));
  }

  /**
   * What `authenticate` answers, at once and without waiting, when this instance has the session
   * cached (the guard's path for most requests); undefined when it has not, and then only
   * `authenticate` can tell. The same cache, under the same trust rules, as `authenticate`.
   */
  authenticateCached(token: string, now = new Date()): AuthenticationResult | undefined {
    if (!isWellFormedSessionToken(token)) return undefined;
    return this.fromCache(tokenCacheKey(sessionTokenDigest(token)), now);
  }

  /** `authenticateCached` for a session by id (a bearer token's `sid`). */
  authenticateCachedById(sessionId: string, now = new Date()): AuthenticationResult | undefined {
    return this.fromCache(sessionCacheKey(sessionId), now);
  }

  /**
   * Turns a found session into an authentication result: ended and expired sessions (including
   * rows no job has marked yet) come back with the contract's code and reason; a user the host no
   * longer has is `unauthenticated`.
   */
  private async resolve(found: SessionWithEpoch, now = new Date()): Promise<AuthenticationResult> {
    const state = sessionStateAt(found.session, found.userEpoch, now);
    const ended = { id: found.session.id, userId: found.session.userId };
    if (state.status === 'ended') return { ok: false, code: 'session_ended', reason: state.reason, ended };
    if (state.status === 'expired') return { ok: false, code: 'session_expired', reason: state.reason, ended };
    const user = await this.options.users.findById(found.session.userId);
    if (!user) return { ok: false, code: 'unauthenticated' };
    return { ok: true, session: found.session, user, expiresAt: state.expiresAt };
  }

  private async authenticateThroughCache(key: string, now: Date, find: () => Promise<SessionWithEpoch | null>): Promise<AuthenticationResult> {
    let loaded: AuthenticationResult | undefined;
    const entry = await this.cache.getOrLoad(key, async () => {
      const found = await this.fromStore(find);
      loaded = found ? await this.resolve(found, now) : { ok: false, code: 'unauthenticated' };
      return loaded.ok ? { found: { session: loaded.session, userEpoch: found!.userEpoch }, user: loaded.user } : null;
    });
    return loaded ?? resultOf(entry!, now);
  }

  private fromCache(key: string, now: Date): AuthenticationResult | undefined {
    const entry = this.cache.get(key);
    return entry ? resultOf(entry, now) : undefined;
  }

  // A store error means nothing cached can be trusted any more: PostgreSQL may have lost state.
  private async fromStore<T>(read: () => Promise<T>): Promise<T> {
    try {
      return await read();
    } catch (error) {
      this.bus.distrust();
      throw error;
    }
  }

  /**
   * The user's session epoch now. Read it before checking a password and pass it to `open()`: a
   * session whose password was checked before a concurrent credential change then opens under the
   * old epoch and is ended by that change, instead of outliving it.
   */
  async currentEpoch(userId: string): Promise<number> {
    return (await this.fromStore(() => this.sessions.getUserEpoch(userId))).epoch;
  }

  /** Whether a request now must write the session's `lastActiveAt` (at most once a minute per session). */
  isActivityDue(session: Session, now = new Date()): boolean {
    return now.getTime() - session.lastActiveAt.getTime() >= ACTIVITY_WRITE_INTERVAL_MS;
  }

  /** Records activity, writing `lastActiveAt` at most once a minute per session. */
  async recordActivity(session: Session, now = new Date()): Promise<void> {
    if (!this.isActivityDue(session, now)) return;
    await this.fromStore(() => this.sessions.touch(session.id, now));
    // The cached row is this object: later requests see the new time and do not write again.
    session.lastActiveAt = now;
  }

  /**
   * Opens a session for a signed-in user and writes the `login` event, in the caller's transaction.
   * The token is returned once and never stored.
   * @param epochAtCheck the user's epoch read before their credential was checked (`currentEpoch`);
   *   without it the epoch is read now, inside the transaction
   * @param sso the provider session a single sign-on came from (back-channel logout finds it by this)
   */
  async open(
    manager: EntityManager,
    user: SignoffUser,
    client: ClientContext,
    options: { kind: SessionKind; rememberMe: boolean; epochAtCheck?: number; metadata?: Record<string, unknown>; sso?: SessionSsoOrigin },
  ): Promise<IssuedSession> {
    assertUserId(user);
    const { kind, rememberMe } = options;
    const now = new Date();
    const lifetime = rememberMe ? this.options.rememberMe : this.options.session;
    const token = generateSessionToken();
    const device = parseDeviceInfo(client.userAgent);
    const epoch = options.epochAtCheck ?? (await this.sessions.getUserEpoch(user.id, manager)).epoch;
    const session = Object.assign(new Session(), {
      id: randomUUID(),
      userId: user.id,
      kind,
      tokenHash: hashSessionToken(token),
      rememberMe,
      userAgent: client.userAgent,
      browser: device.browser,
      os: device.os,
      deviceType: device.type,
      ip: client.ip,
      location: await this.places.locate(client.ip),
      createdAt: now,
      lastActiveAt: now,
      idleSeconds: lifetime.idleSeconds,
      absoluteExpiresAt: new Date(now.getTime() + lifetime.absoluteSeconds * 1000),
      freshAt: now,
      generation: 0,
      epoch,
      endedAt: null,
      endReason: null,
      endedById: null,
      endedByEmail: null,
      ssoIssuer: options.sso?.issuer ?? null,
      ssoSubject: options.sso?.subject ?? null,
      ssoSid: options.sso?.sid ?? null,
    } satisfies Session);
    await this.sessions.insert(session, manager);
    await this.auditLog.record(manager, {
      type: 'login',
      actor: { id: user.id, email: user.email },
      userId: user.id,
      sessionId: session.id,
      client,
      metadata: { method: kind, rememberMe, ...options.metadata },
    });
    return { session, token, expiresAt: expiresAtOf(session) };
  }

  /**
   * Gives an active session a new token (same id); the old token is rejected from the commit on.
   * With `fresh`, the session also counts as just re-authenticated. Returns null when the session has ended.
   */
  async rotate(manager: EntityManager, session: Session, fresh: boolean): Promise<IssuedSession | null> {
    const token = generateSessionToken();
    const freshAt = fresh ? new Date() : null;
    const rotated = await this.sessions.rotateToken(session.id, hashSessionToken(token), freshAt, manager);
    if (!rotated) return null;
    const updated = Object.assign(new Session(), session, {
      tokenHash: hashSessionToken(token),
      freshAt: freshAt ?? session.freshAt,
      generation: session.generation + 1,
    });
    return { session: updated, token, expiresAt: expiresAtOf(updated) };
  }

  /** Whether the session signed in or re-authenticated within `freshAgeSeconds`. */
  isFresh(session: Session, now = new Date()): boolean {
    return now.getTime() - session.freshAt.getTime() < this.options.freshAgeSeconds * 1000;
  }

  /** Throws 403 `reauth_required` unless the session is fresh. */
  assertFresh(session: Session): void {
    if (!this.isFresh(session)) throw new ReauthRequiredError();
  }
}

/**
 * A host's strategy or users provider gave a user whose id is not a UUID: the library keeps user ids
 * in `uuid` columns, and PostgreSQL's own error (a 500 naming a query) would not say which value.
 */
export function assertUserId(user: SignoffUser): void {
  if (typeof user.id === 'string' && isUUID(user.id, 'all')) return;
  throw new TypeError(
    `AuthSessions: a signed-in user's id must be a UUID string (the library keeps user ids in uuid columns), got ${JSON.stringify(user.id)}: ` +
      'check what your strategy or AuthUsersProvider returns as id.',
  );
}
