import { MemoryRateLimitStorage } from './memory-rate-limit.storage.js';

describe('MemoryRateLimitStorage', () => {
  let now: number;
  let storage: MemoryRateLimitStorage;

  beforeEach(() => {
    now = 1_000_000;
    storage = new MemoryRateLimitStorage(() => now);
  });

  describe('increment', () => {
    it('should count hits in the window and block past the limit until the block ends', async () => {
      const hits = [];
      for (let hit = 0; hit < 4; hit++) hits.push(await storage.increment('k', 60_000, 3, 60_000, 'auth'));

      expect(hits.map((record) => record.isBlocked)).toEqual([false, false, false, true]);
      expect(hits[3]).toEqual({ totalHits: 4, timeToExpire: 60, isBlocked: true, timeToBlockExpire: 60 });

      now += 30_000;
      expect(await storage.increment('k', 60_000, 3, 60_000, 'auth')).toMatchObject({ isBlocked: true, timeToBlockExpire: 30 });

      now += 31_000;
      expect(await storage.increment('k', 60_000, 3, 60_000, 'auth')).toEqual({ totalHits: 1, timeToExpire: 60, isBlocked: false, timeToBlockExpire: 0 });
    });

    it('should keep keys and limit names apart', async () => {
      await storage.increment('a', 60_000, 1, 60_000, 'auth');
      expect(await storage.increment('a', 60_000, 1, 60_000, 'auth')).toMatchObject({ isBlocked: true });
      expect(await storage.increment('b', 60_000, 1, 60_000, 'auth')).toMatchObject({ isBlocked: false });
      expect(await storage.increment('a', 60_000, 1, 60_000, 'other')).toMatchObject({ isBlocked: false });
    });

    it('should start a new window once the old one has passed', async () => {
      await storage.increment('k', 1_000, 5, 1_000, 'auth');
      await storage.increment('k', 1_000, 5, 1_000, 'auth');
      now += 1_001;
      expect(await storage.increment('k', 1_000, 5, 1_000, 'auth')).toMatchObject({ totalHits: 1 });
    });
  });
});
