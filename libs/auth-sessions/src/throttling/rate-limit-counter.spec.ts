import { Logger } from '@nestjs/common';
import { jest } from '@jest/globals';
import type { ResolvedAuthSessionsOptions } from '../auth-sessions.options.js';
import type { AuthRedis } from '../common/auth-redis.js';
import type { RateLimitStorage } from './rate-limit-storage.js';
import { rateLimitCounterOf } from './rate-limit-counter.js';

type Limits = NonNullable<ResolvedAuthSessionsOptions['rateLimit']>;

const redisOf = (): AuthRedis => ({ commands: {}, key: (name: string) => `p:auth:${name}` }) as unknown as AuthRedis;

describe('rateLimitCounterOf', () => {
  afterEach(() => jest.restoreAllMocks());

  it('should give the per-IP guard and the per-account limit one counter per storage: one outage line, one recovery line', async () => {
    const warned = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    const logged = jest.spyOn(Logger.prototype, 'log').mockImplementation(() => undefined);
    let isDown = true;
    const storage: RateLimitStorage = {
      increment: async () => {
        if (isDown) throw new Error('Connection is closed.');
        return { totalHits: 1, timeToExpire: 60, isBlocked: false, timeToBlockExpire: 0 };
      },
    };
    const limits: Limits = { limit: 5, windowSeconds: 60, storage, account: { limit: 25, windowSeconds: 900, familiarDays: 30, familiarLimit: 50 } };
    const redis = redisOf();
    const perIp = rateLimitCounterOf(limits, redis);
    const perAccount = rateLimitCounterOf({ ...limits }, redis);
    expect(perAccount).toBe(perIp);
    for (const key of ['ip:203.0.113.1', 'account:abc', 'ip:203.0.113.2']) await perIp.hit(key, 60_000, 5);
    expect(warned).toHaveBeenCalledTimes(1);
    expect(String(warned.mock.calls[0]?.[0])).toContain('Rate-limit storage unavailable');
    isDown = false;
    await perAccount.hit('account:abc', 60_000, 5);
    await perIp.hit('ip:203.0.113.1', 60_000, 5);
    expect(logged.mock.calls.map((call) => call[0])).toEqual(['Rate limits are shared again']);
  });

  it('should keep refusing a client blocked during an outage once the storage is back, until its block ends', async () => {
    jest.useFakeTimers({ now: new Date('2026-12-04T12:00:00Z') });
    try {
      jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
      jest.spyOn(Logger.prototype, 'log').mockImplementation(() => undefined);
      let isDown = true;
      const storage: RateLimitStorage = {
        increment: async () => {
          if (isDown) throw new Error('Connection is closed.');
          return { totalHits: 1, timeToExpire: 60, isBlocked: false, timeToBlockExpire: 0 };
        },
      };
      const counter = rateLimitCounterOf({ limit: 2, windowSeconds: 60, storage, account: null }, redisOf());
      const blocked = [];
      for (let hit = 0; hit < 3; hit++) blocked.push((await counter.hit('ip:203.0.113.1', 60_000, 2)).isBlocked);
      expect(blocked).toEqual([false, false, true]);

      isDown = false;
      jest.advanceTimersByTime(20_000);
      expect(await counter.hit('ip:203.0.113.1', 60_000, 2)).toMatchObject({ isBlocked: true, timeToBlockExpire: 40 });
      expect((await counter.hit('ip:203.0.113.2', 60_000, 2)).isBlocked).toBe(false);
      jest.advanceTimersByTime(41_000);
      expect((await counter.hit('ip:203.0.113.1', 60_000, 2)).isBlocked).toBe(false);
    } finally {
      jest.useRealTimers();
    }
  });

  it("should keep apps apart: another app's Redis, or another storage, has a counter of its own", () => {
    const storage: RateLimitStorage = { increment: async () => ({ totalHits: 1, timeToExpire: 60, isBlocked: false, timeToBlockExpire: 0 }) };
    const onRedis: Limits = { limit: 5, windowSeconds: 60, storage: null, account: null };
    const first = redisOf();
    expect(rateLimitCounterOf(onRedis, first)).toBe(rateLimitCounterOf(onRedis, first));
    expect(rateLimitCounterOf(onRedis, redisOf())).not.toBe(rateLimitCounterOf(onRedis, first));
    expect(rateLimitCounterOf({ ...onRedis, storage }, first)).not.toBe(rateLimitCounterOf(onRedis, first));
  });
});
