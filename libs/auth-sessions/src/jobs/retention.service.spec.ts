import type { Queue } from 'bullmq';
import type { ResolvedAuthSessionsOptions } from '../auth-sessions.options.js';
import type { SessionRepository } from '../sessions/session.repository.js';
import { AuthSessionsProcessor } from './auth-sessions.processor.js';
import { JOB_PRUNE_ENDED_SESSIONS } from './auth-sessions.queue.js';
import type { OutboxRepository } from './outbox.repository.js';
import { RetentionService } from './retention.service.js';

/** Repositories holding `sessions` ended sessions (two refresh tokens each) and `outbox` relayed entries, all past retention. */
function storeWith(sessions: number, outbox: number) {
  const left = { sessions, outbox, batches: 0 };
  const sessionRepository = {
    transaction: (work: (manager: unknown) => Promise<unknown>) => work({}),
    deleteEndedBefore: async (_cutoff: Date, limit: number) => {
      left.batches++;
      const deleted = Math.min(limit, left.sessions);
      left.sessions -= deleted;
      return { sessions: deleted, refreshTokens: 2 * deleted };
    },
  } as unknown as SessionRepository;
  const outboxRepository = {
    deleteRelayedBefore: async (_cutoff: Date, limit: number) => {
      left.batches++;
      const deleted = Math.min(limit, left.outbox);
      left.outbox -= deleted;
      return deleted;
    },
  } as unknown as OutboxRepository;
  return { left, sessionRepository, outboxRepository };
}

const options = { sessionRetentionDays: 90, jobs: { batchSize: 10 } } as ResolvedAuthSessionsOptions;

describe('RetentionService', () => {
  it('should delete everything in batches, sessions first, when given the time', async () => {
    const store = storeWith(25, 12);
    const retention = new RetentionService(store.sessionRepository, store.outboxRepository, options);
    expect(await retention.prune()).toEqual({ sessions: 25, refreshTokens: 50, outboxEntries: 12 });
    // 10 + 10 + 5 sessions, then 10 + 2 outbox entries.
    expect(store.left).toEqual({ sessions: 0, outbox: 0, batches: 5 });
  });

  it('should stop after the batch under way once its slice is spent, and say that rows may be left', async () => {
    const store = storeWith(25, 12);
    const retention = new RetentionService(store.sessionRepository, store.outboxRepository, options);
    expect(await retention.pruneWithin(0)).toEqual({ run: { sessions: 0, refreshTokens: 0, outboxEntries: 0 }, finished: false });
    const slices = [];
    for (let slice = 0; slice < 10; slice++) {
      const result = await retention.pruneWithin(1);
      slices.push(result);
      if (result?.finished) break;
    }
    expect(slices.at(-1)?.finished).toBe(true);
    expect(store.left.sessions + store.left.outbox).toBe(0);
  });

  it('should delete nothing with sessionRetentionDays false', async () => {
    const store = storeWith(5, 5);
    const retention = new RetentionService(store.sessionRepository, store.outboxRepository, { ...options, sessionRetentionDays: null });
    expect(await retention.prune()).toBeNull();
    expect(await retention.pruneWithin(1000)).toBeNull();
    expect(store.left.batches).toBe(0);
  });
});

describe('AuthSessionsProcessor, prune-ended-sessions', () => {
  function processorWith(slice: Awaited<ReturnType<RetentionService['pruneWithin']>>) {
    const added: Array<{ name: string }> = [];
    const queue = { add: async (name: string) => added.push({ name }) } as unknown as Queue;
    const retention = { pruneWithin: async () => slice } as unknown as RetentionService;
    const processor = new AuthSessionsProcessor(null as never, null as never, null as never, retention, null as never, null as never, null, queue);
    return { processor, added };
  }

  it('should queue the rest behind the waiting jobs when its slice did not finish, so the sealer and the sweeps run in between', async () => {
    const { processor, added } = processorWith({ run: { sessions: 1000, refreshTokens: 2000, outboxEntries: 0 }, finished: false });
    expect(await processor.process({ name: JOB_PRUNE_ENDED_SESSIONS } as never)).toEqual({
      sessions: 1000,
      refreshTokens: 2000,
      outboxEntries: 0,
      continued: true,
    });
    expect(added).toEqual([{ name: JOB_PRUNE_ENDED_SESSIONS }]);
  });

  it('should queue nothing once done, nor with retention off', async () => {
    const done = processorWith({ run: { sessions: 3, refreshTokens: 0, outboxEntries: 1 }, finished: true });
    expect(await done.processor.process({ name: JOB_PRUNE_ENDED_SESSIONS } as never)).toEqual({
      sessions: 3,
      refreshTokens: 0,
      outboxEntries: 1,
      continued: false,
    });
    const off = processorWith(null);
    expect(await off.processor.process({ name: JOB_PRUNE_ENDED_SESSIONS } as never)).toBeNull();
    expect([...done.added, ...off.added]).toEqual([]);
  });
});
