import { Inject, Injectable } from '@nestjs/common';
import { hash, randomUUID } from 'node:crypto';
import { AUTH_SESSIONS_OPTIONS } from '../auth-sessions.module-definition.js';
import type { ResolvedAuthSessionsOptions } from '../auth-sessions.options.js';
import type { ClientContext } from '../common/client-context.js';
import { AuthRedis } from '../common/auth-redis.js';
import { SessionRepository } from '../sessions/session.repository.js';
import { normalizeEmail } from '../users/email.js';
import type { SignoffUser } from '../users/users-provider.js';
import { type RateLimitCounter, rateLimitCounterOf } from './rate-limit-counter.js';
import { FamiliarFailures } from './familiar-failures.js';
import { libraryRateLimitStorage } from './redis-rate-limit.storage.js';
import { rateLimitSubject } from './rate-limit-subject.js';
import { InvalidPasswordError, TooManyAttemptsError } from '../sessions/session.errors.js';
import type { RequestAuth } from '../sessions/request-auth.js';
import { AuditLogService } from '../audit/audit-log.service.js';

/**
 * The most places (distinct IPs) read to find where an account has signed in, most recent first. Far
 * above what a person uses; an account driven from more addresses than this (a fleet of scripts) may
 * see its least recent places treated as new.
 */
const FAMILIAR_PLACES_READ = 10_000;
const DAY_MS = 86_400_000;

/** An attempt `AccountThrottle` let through: tell it when the password was wrong. */
export interface AdmittedAttempt {
  /** Counts the wrong password against the account's familiar places when it came from one (else nothing). */
  failed(): Promise<void>;
}

const NOTHING_TO_COUNT: AdmittedAttempt = { failed: () => Promise.resolve() };

/**
 * The per-account sign-in limit (`rateLimit.account`), after the "smart lockout" design: attempts on
 * one account from IPs it has not signed in from recently count together, whatever the IP, and past
 * the limit those IPs are refused for the window. Attempts from a familiar IP (an IPv6 /64 with an
 * open session of the account, or one ended within `familiarDays`) are not counted there, so an attacker cannot lock
 * the owner out of the places the owner uses from elsewhere; their wrong passwords count against
 * `familiarLimit` of their own (someone on the owner's network). Unknown emails are counted exactly like known ones, so
 * the limit says nothing about which accounts exist. The library's own email/password sign-in
 * calls it; it is not exported from the package entry.
 */
@Injectable()
export class AccountThrottle {
  private readonly counter: RateLimitCounter | null;
  private readonly familiarFailures: FamiliarFailures | null;

  constructor(
    @Inject(AUTH_SESSIONS_OPTIONS) private readonly options: ResolvedAuthSessionsOptions,
    private readonly sessions: SessionRepository,
    redis: AuthRedis,
    private readonly auditLog: AuditLogService,
  ) {
    const limits = options.rateLimit;
    this.counter = limits?.account ? rateLimitCounterOf(limits, redis) : null;
    this.familiarFailures = limits?.account?.familiarLimit ? new FamiliarFailures(libraryRateLimitStorage(redis)) : null;
  }

  /**
   * Counts a sign-in attempt on `email` (already normalised) from `client`, or refuses it with
   * `TooManyAttemptsError` (429) before the password is checked. Call `failed()` on the answer when
   * the password turns out wrong.
   * @param userId the account's user when the email is known
   */
  async admit(email: string, userId: string | null, client: ClientContext): Promise<AdmittedAttempt> {
    const limits = this.options.rateLimit?.account;
    if (!limits || !this.counter) return NOTHING_TO_COUNT;
    const subject = rateLimitSubject(client.ip);
    // Read for an unknown email too (of a user id no row has), so a refusal takes as long either way.
    const isFamiliar = await this.isFamiliar(userId ?? randomUUID(), subject, limits.familiarDays);
    if (userId !== null && isFamiliar) return this.admitFamiliar(userId, limits);
    const record = await this.counter.hit(accountKey(email, userId), limits.windowSeconds * 1000, limits.limit);
    if (record.isBlocked) throw new TooManyAttemptsError(Math.max(1, record.timeToBlockExpire), 'unfamiliar');
    return NOTHING_TO_COUNT;
  }

  /**
   * Counts a check of a signed-in user's password (step-up, password or email change: a password
   * oracle for whoever holds the session) against the same per-account limit, or refuses it (429).
   */
  admitPasswordCheck(user: SignoffUser, client: ClientContext): Promise<AdmittedAttempt> {
    return this.admit(normalizeEmail(user.email), user.id, client);
  }

  /**
   * A signed-in user's password check (`check` names the route): counted against the per-account
   * limit (429 past it, before the password is checked), then checked by the host's users. A wrong
   * password writes `login_failed` with the user, the session and the route, as a wrong sign-in does,
   * and throws `InvalidPasswordError` (403 `invalid_password`).
   */
  async verifySignedInPassword(auth: RequestAuth, password: string, client: ClientContext, check: 'reauth' | 'password' | 'email'): Promise<void> {
    const attempt = await this.admitPasswordCheck(auth.user, client);
    if (await this.options.users.verifyPassword(auth.user, password)) return;
    await attempt.failed();
    await this.auditLog.recordAlone({ type: 'login_failed', actor: null, userId: auth.user.id, sessionId: auth.session.id, client, metadata: { check } });
    throw new InvalidPasswordError();
  }

  /** From a familiar place: refused only once the account's familiar failures are used up. */
  private async admitFamiliar(userId: string, limits: NonNullable<NonNullable<ResolvedAuthSessionsOptions['rateLimit']>['account']>): Promise<AdmittedAttempt> {
    const failures = this.familiarFailures;
    const familiarLimit = limits.familiarLimit;
    if (!failures || familiarLimit === null) return NOTHING_TO_COUNT;
    const key = familiarKey(userId);
    const blockedFor = await failures.blockedFor(key, familiarLimit);
    if (blockedFor > 0) throw new TooManyAttemptsError(blockedFor, 'familiar');
    return { failed: () => failures.record(key, limits.windowSeconds * 1000, familiarLimit) };
  }

  private async isFamiliar(userId: string, subject: string, familiarDays: number): Promise<boolean> {
    if (familiarDays === 0) return false;
    const ips = await this.sessions.recentSignInIps(userId, new Date(Date.now() - familiarDays * DAY_MS), FAMILIAR_PLACES_READ);
    return ips.some((ip) => rateLimitSubject(ip) === subject);
  }
}

/**
 * The counter of an account: its user id when the email is known, so that every spelling your users
 * provider accepts for one account (another case, `İ` where your database folds it to `i`) shares one
 * budget, and sign-ins and password checks share it too; else the email in lower case, so the spellings
 * of an unknown address share one as well. Hashed: the key never holds the address (the storage may be
 * a shared Redis).
 */
function accountKey(email: string, userId: string | null): string {
  return `account:${hash('sha256', userId !== null ? `user:${userId}` : `email:${email.toLowerCase()}`, 'base64url')}`;
}

/** The counter of an account's wrong passwords from its familiar places (hashed, as `accountKey`). */
function familiarKey(userId: string): string {
  return `account-familiar:${hash('sha256', `user:${userId}`, 'base64url')}`;
}
