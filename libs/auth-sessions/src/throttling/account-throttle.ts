import { Inject, Injectable } from '@nestjs/common';
import { hash } from 'node:crypto';
import { AUTH_SESSIONS_OPTIONS } from '../auth-sessions.module-definition.js';
import type { ResolvedAuthSessionsOptions } from '../auth-sessions.options.js';
import type { ClientContext } from '../common/client-context.js';
import { AuthRedis } from '../common/auth-redis.js';
import { SessionRepository } from '../sessions/session.repository.js';
import { normalizeEmail } from '../users/email.js';
import type { SignoffUser } from '../users/users-provider.js';
import { type RateLimitCounter, rateLimitCounterOf } from './rate-limit-counter.js';
import { rateLimitSubject } from './rate-limit-subject.js';
import { TooManyAttemptsError } from '../sessions/session.errors.js';

/** Sessions read to find where an account has signed in: a user's recent places, not their whole history. */
const FAMILIAR_SESSIONS_READ = 200;
const DAY_MS = 86_400_000;

/**
 * The per-account sign-in limit (`rateLimit.account`), after the "smart lockout" design: attempts on
 * one account from IPs it has not signed in from recently count together, whatever the IP, and past
 * the limit those IPs are refused for the window. Attempts from a familiar IP (an IPv6 /64 with an
 * open session of the account, or one ended within `familiarDays`) are limited per IP only, so an attacker cannot lock
 * the owner out of the places the owner uses. Unknown emails are counted exactly like known ones, so
 * the limit says nothing about which accounts exist. The library's own email/password sign-in
 * calls it; it is not exported from the package entry.
 */
@Injectable()
export class AccountThrottle {
  private readonly counter: RateLimitCounter | null;

  constructor(
    @Inject(AUTH_SESSIONS_OPTIONS) private readonly options: ResolvedAuthSessionsOptions,
    private readonly sessions: SessionRepository,
    redis: AuthRedis,
  ) {
    const limits = options.rateLimit;
    this.counter = limits?.account ? rateLimitCounterOf(limits, redis) : null;
  }

  /**
   * Counts a sign-in attempt on `email` (already normalised) from `client`, or refuses it with
   * `TooManyAttemptsError` (429) before the password is checked.
   * @param userId the account's user when the email is known
   */
  async admit(email: string, userId: string | null, client: ClientContext): Promise<void> {
    const limits = this.options.rateLimit?.account;
    if (!limits || !this.counter) return;
    const subject = rateLimitSubject(client.ip);
    if (userId !== null && (await this.isFamiliar(userId, subject, limits.familiarDays))) return;
    // The account's key never holds the address itself (the storage may be a shared Redis).
    const record = await this.counter.hit(`account:${hash('sha256', email, 'base64url')}`, limits.windowSeconds * 1000, limits.limit);
    if (record.isBlocked) throw new TooManyAttemptsError(Math.max(1, record.timeToBlockExpire));
  }

  /**
   * Counts a check of a signed-in user's password (step-up, password or email change: a password
   * oracle for whoever holds the session) against the same per-account limit, or refuses it (429).
   */
  admitPasswordCheck(user: SignoffUser, client: ClientContext): Promise<void> {
    return this.admit(normalizeEmail(user.email), user.id, client);
  }

  private async isFamiliar(userId: string, subject: string, familiarDays: number): Promise<boolean> {
    if (familiarDays === 0) return false;
    const ips = await this.sessions.recentSignInIps(userId, new Date(Date.now() - familiarDays * DAY_MS), FAMILIAR_SESSIONS_READ);
    return ips.some((ip) => rateLimitSubject(ip) === subject);
  }
}
