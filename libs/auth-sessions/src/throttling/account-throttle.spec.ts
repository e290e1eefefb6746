import type { Logger } from '@nestjs/common';
import type { ResolvedAuthSessionsOptions } from '../auth-sessions.options.js';
import type { AuthRedis } from '../common/auth-redis.js';
import type { ClientContext } from '../common/client-context.js';
import type { SessionRepository } from '../sessions/session.repository.js';
import { AccountThrottle } from './account-throttle.js';
import { MemoryRateLimitStorage } from './memory-rate-limit.storage.js';
import type { RateLimitStorage } from './rate-limit-storage.js';
import { InvalidPasswordError, TooManyAttemptsError } from '../sessions/session.errors.js';
import type { RequestAuth } from '../sessions/request-auth.js';
import type { AuditLogService, AuditRecord } from '../audit/audit-log.service.js';

const client = (ip: string): ClientContext => ({ ip, userAgent: 'test', requestId: null });

/** Where each user has signed in, as the sessions table would say. */
function sessionsWith(places: Record<string, string[]>, reads: Array<{ userId: string; since: Date }> = []): SessionRepository {
  return {
    recentSignInIps: async (userId: string, since: Date) => {
      reads.push({ userId, since });
      return places[userId] ?? [];
    },
  } as unknown as SessionRepository;
}

/** An audit log that keeps what it is asked to record. */
function auditLogWith(recorded: AuditRecord[]): AuditLogService {
  return { recordAlone: async (...records: AuditRecord[]) => void recorded.push(...records) } as unknown as AuditLogService;
}

type AccountLimits = NonNullable<ResolvedAuthSessionsOptions['rateLimit']>['account'];

/** The library's Redis, down: every command fails, as ioredis fails them with no connection. */
const refusedTransaction: Record<string, unknown> = { exec: () => Promise.reject(new Error('connection refused')) };
for (const command of ['incr', 'pexpire', 'pttl', 'get']) refusedTransaction[command] = () => refusedTransaction;
const redisDown = { commands: { multi: () => refusedTransaction }, key: (name: string) => `p:auth:${name}` } as unknown as AuthRedis;

function throttleWith(account: AccountLimits, sessions: SessionRepository, storage: RateLimitStorage = new MemoryRateLimitStorage()): AccountThrottle {
  const options = { rateLimit: { limit: 20, windowSeconds: 60, storage, account } } as ResolvedAuthSessionsOptions;
  return new AccountThrottle(options, sessions, redisDown, auditLogWith([]));
}

async function refusal(attempt: Promise<unknown>): Promise<TooManyAttemptsError | null> {
  try {
    await attempt;
    return null;
  } catch (error) {
    if (error instanceof TooManyAttemptsError) return error;
    throw error;
  }
}

describe('AccountThrottle', () => {
  const limits = { limit: 3, windowSeconds: 900, familiarDays: 30, familiarLimit: null };

  it('should count attempts on one account from every unfamiliar IP together, and refuse past the limit for the window', async () => {
    const throttle = throttleWith(limits, sessionsWith({ u1: ['198.51.100.1'] }));
    for (const ip of ['203.0.113.1', '203.0.113.2', '2001:db8:1::1']) expect(await refusal(throttle.admit('ann@example.com', 'u1', client(ip)))).toBeNull();
    const refused = await refusal(throttle.admit('ann@example.com', 'u1', client('203.0.113.4')));
    expect(refused?.getStatus()).toBe(429);
    expect(refused?.retryAfterSeconds).toBe(900);
    expect(refused?.places).toBe('unfamiliar');
    // Another account is not affected.
    expect(await refusal(throttle.admit('bob@example.com', 'u2', client('203.0.113.4')))).toBeNull();
  });

  it('should never count or refuse an IP the account signed in from, nor another address of its IPv6 /64', async () => {
    const throttle = throttleWith(limits, sessionsWith({ u1: ['198.51.100.1', '2001:db8:aa:bb::1'] }));
    for (let i = 0; i < 4; i++) await refusal(throttle.admit('ann@example.com', 'u1', client(`203.0.113.${i}`)));
    expect(await refusal(throttle.admit('ann@example.com', 'u1', client('203.0.113.9')))).toBeInstanceOf(TooManyAttemptsError);
    for (let i = 0; i < 10; i++) {
      expect(await refusal(throttle.admit('ann@example.com', 'u1', client('198.51.100.1')))).toBeNull();
      expect(await refusal(throttle.admit('ann@example.com', 'u1', client('::ffff:198.51.100.1')))).toBeNull();
      expect(await refusal(throttle.admit('ann@example.com', 'u1', client(`2001:db8:aa:bb:${i}::7`)))).toBeNull();
    }
    // The neighbouring /64 is not the same place.
    expect(await refusal(throttle.admit('ann@example.com', 'u1', client('2001:db8:aa:bc::1')))).toBeInstanceOf(TooManyAttemptsError);
  });

  it('should count an unknown email like a known one, under a key that does not hold the email', async () => {
    const keys: string[] = [];
    const memory = new MemoryRateLimitStorage();
    const storage: RateLimitStorage = {
      increment: (key, ...rest) => {
        keys.push(key);
        return memory.increment(key, ...rest);
      },
    };
    const throttle = throttleWith(limits, sessionsWith({}), storage);
    const outcomes = [];
    for (let i = 0; i < 4; i++) outcomes.push((await refusal(throttle.admit('nobody@example.com', null, client(`203.0.113.${i}`)))) === null);
    expect(outcomes).toEqual([true, true, true, false]);
    expect(new Set(keys).size).toBe(1);
    expect(keys[0]).toMatch(/^account:[A-Za-z0-9_-]{43}$/);
    expect(keys[0]).not.toContain('nobody');
  });

  it('should give every spelling of a known account one budget, and its password checks the same one (the users provider decides what matches)', async () => {
    const throttle = throttleWith(limits, sessionsWith({}));
    expect(await refusal(throttle.admit('ann@example.com', 'u1', client('203.0.113.1')))).toBeNull();
    expect(await refusal(throttle.admit('ANN@example.com', 'u1', client('203.0.113.2')))).toBeNull();
    // `İ` where the host's database folds it to `i`: the same user, so the same budget.
    expect(await refusal(throttle.admitPasswordCheck({ id: 'u1', email: 'Ann@Example.com', roles: [] }, client('203.0.113.3')))).toBeNull();
    expect(await refusal(throttle.admit('ann@exampl\u0130.com'.normalize('NFC'), 'u1', client('203.0.113.4')))).toBeInstanceOf(TooManyAttemptsError);
    // Another account is not affected.
    expect(await refusal(throttle.admit('ann@example.com', 'u2', client('203.0.113.4')))).toBeNull();
  });

  it('should give the spellings of an unknown email one budget too, and read places for it as for a known one', async () => {
    const reads: Array<{ userId: string; since: Date }> = [];
    const throttle = throttleWith(limits, sessionsWith({}, reads));
    for (const email of ['nobody@example.com', 'Nobody@Example.com', 'NOBODY@EXAMPLE.COM']) {
      expect(await refusal(throttle.admit(email, null, client('203.0.113.5')))).toBeNull();
    }
    expect(await refusal(throttle.admit('nobody@example.com', null, client('203.0.113.6')))).toBeInstanceOf(TooManyAttemptsError);
    // A read per attempt, of a user id no row has: a refusal takes as long for an unknown email as for a known one.
    expect(reads).toHaveLength(4);
    expect(new Set(reads.map((read) => read.userId)).size).toBe(4);
  });

  it("should record a signed-in user's wrong password as login_failed with the session and the route, and refuse it with 403", async () => {
    const recorded: AuditRecord[] = [];
    const options = {
      rateLimit: { limit: 20, windowSeconds: 60, storage: new MemoryRateLimitStorage(), account: limits },
      users: { verifyPassword: async (_user: unknown, password: string) => password === 'right' },
    } as unknown as ResolvedAuthSessionsOptions;
    const throttle = new AccountThrottle(
      options,
      sessionsWith({}),
      { commands: {}, key: (name: string) => `p:auth:${name}` } as unknown as AuthRedis,
      auditLogWith(recorded),
    );
    const auth = { user: { id: 'u1', email: 'ann@example.com', roles: [] }, session: { id: 's1' } } as unknown as RequestAuth;

    await expect(throttle.verifySignedInPassword(auth, 'wrong', client('203.0.113.1'), 'email')).rejects.toBeInstanceOf(InvalidPasswordError);
    expect(recorded).toEqual([expect.objectContaining({ type: 'login_failed', userId: 'u1', sessionId: 's1', metadata: { check: 'email' } })]);
    await throttle.verifySignedInPassword(auth, 'right', client('203.0.113.1'), 'reauth');
    expect(recorded).toHaveLength(1);
    // Both counted against the account: one more try, and the third is refused before the password is checked.
    await expect(throttle.verifySignedInPassword(auth, 'right', client('203.0.113.1'), 'password')).resolves.toBeUndefined();
    await expect(throttle.verifySignedInPassword(auth, 'right', client('203.0.113.1'), 'password')).rejects.toBeInstanceOf(TooManyAttemptsError);
  });

  it("should count only wrong passwords from the account's familiar places, and refuse them there past familiarLimit for the window", async () => {
    const throttle = throttleWith({ ...limits, familiarLimit: 3 }, sessionsWith({ u1: ['198.51.100.1'] }));
    const home = client('198.51.100.1');
    // The owner signing in often is never refused: a right password counts nothing.
    for (let i = 0; i < 10; i++) expect(await refusal(throttle.admit('ann@example.com', 'u1', home))).toBeNull();
    // Someone on the owner's network guessing: the third wrong password uses the budget up.
    for (let i = 0; i < 3; i++) await (await throttle.admit('ann@example.com', 'u1', home)).failed();
    const refused = await refusal(throttle.admit('ann@example.com', 'u1', home));
    expect(refused?.retryAfterSeconds).toBe(900);
    expect(refused?.places).toBe('familiar');
    // The whole place and its password checks, whatever the spelling; another account's home is not affected.
    expect(await refusal(throttle.admitPasswordCheck({ id: 'u1', email: 'Ann@example.com', roles: [] }, client('::ffff:198.51.100.1')))).toBeInstanceOf(
      TooManyAttemptsError,
    );
    expect(await refusal(throttle.admit('bob@example.com', 'u2', home))).toBeNull();
  });

  it('should leave the unfamiliar budget and the familiar one apart, and count nothing for familiar places with familiarLimit false', async () => {
    const throttle = throttleWith({ ...limits, familiarLimit: 2 }, sessionsWith({ u1: ['198.51.100.1'] }));
    // Wrong passwords from elsewhere use the unfamiliar budget only: home still has all of its own.
    for (let i = 0; i < 3; i++) await (await throttle.admit('ann@example.com', 'u1', client(`203.0.113.${i}`))).failed();
    expect(await refusal(throttle.admit('ann@example.com', 'u1', client('203.0.113.9')))).toBeInstanceOf(TooManyAttemptsError);
    await (await throttle.admit('ann@example.com', 'u1', client('198.51.100.1'))).failed();
    expect(await refusal(throttle.admit('ann@example.com', 'u1', client('198.51.100.1')))).toBeNull();

    const off = throttleWith(limits, sessionsWith({ u1: ['198.51.100.1'] }));
    for (let i = 0; i < 20; i++) await (await off.admit('ann@example.com', 'u1', client('198.51.100.1'))).failed();
    expect(await refusal(off.admit('ann@example.com', 'u1', client('198.51.100.1')))).toBeNull();
  });

  it('should read only the sessions of the last familiarDays, and treat no IP as familiar with familiarDays 0', async () => {
    const reads: Array<{ userId: string; since: Date }> = [];
    const sessions = sessionsWith({ u1: ['198.51.100.1'] }, reads);
    await throttleWith(limits, sessions).admit('ann@example.com', 'u1', client('198.51.100.1'));
    expect(reads).toHaveLength(1);
    expect(Math.abs(Date.now() - 30 * 86_400_000 - reads[0].since.getTime())).toBeLessThan(5_000);

    const strict = throttleWith({ ...limits, familiarDays: 0 }, sessions);
    for (let i = 0; i < 3; i++) await strict.admit('ann@example.com', 'u1', client('198.51.100.1'));
    expect(await refusal(strict.admit('ann@example.com', 'u1', client('198.51.100.1')))).toBeInstanceOf(TooManyAttemptsError);
    expect(reads).toHaveLength(1);
  });

  it('should do nothing with rateLimit.account false or rateLimit false', async () => {
    const reads: Array<{ userId: string; since: Date }> = [];
    const off = throttleWith(null, sessionsWith({}, reads));
    for (let i = 0; i < 10; i++) await off.admit('ann@example.com', 'u1', client('203.0.113.1'));
    const none = new AccountThrottle({ rateLimit: null } as ResolvedAuthSessionsOptions, sessionsWith({}, reads), redisDown, auditLogWith([]));
    for (let i = 0; i < 10; i++) await none.admit('ann@example.com', 'u1', client('203.0.113.1'));
    expect(reads).toHaveLength(0);
  });

  it('should keep refusing per instance while the shared storage fails', async () => {
    const warnings: string[] = [];
    const throttle = throttleWith(limits, sessionsWith({}), { increment: () => Promise.reject(new Error('connection refused')) });
    (throttle as unknown as { counter: { logger: Logger } }).counter.logger = { warn: (m: string) => warnings.push(m), log: () => {} } as unknown as Logger;
    for (let i = 0; i < 3; i++) expect(await refusal(throttle.admit('ann@example.com', null, client(`203.0.113.${i}`)))).toBeNull();
    expect(await refusal(throttle.admit('ann@example.com', null, client('203.0.113.9')))).toBeInstanceOf(TooManyAttemptsError);
    expect(warnings).toHaveLength(1);
  });
});
