import { EventEmitter } from 'node:events';
import { jest } from '@jest/globals';
import { RedisOutageLog } from './redis-outage-log.js';

class FakeClient extends EventEmitter {
  status = 'ready';
}

function refused(): Error {
  return Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:6379'), { code: 'ECONNREFUSED' });
}

function setUp() {
  const lines: Array<{ level: 'log' | 'warn'; entry: Record<string, unknown> }> = [];
  const logger = {
    log: (entry: Record<string, unknown>) => lines.push({ level: 'log', entry }),
    warn: (entry: Record<string, unknown>) => lines.push({ level: 'warn', entry }),
  };
  const log = new RedisOutageLog(logger, '127.0.0.1:6379', 'Jobs wait');
  const commands = new FakeClient();
  const subscriber = new FakeClient();
  log.watch('commands', commands);
  log.watch('subscriber', subscriber);
  return { lines, log, commands, subscriber };
}

function failAttempts(client: FakeClient, attempts: number): void {
  client.status = 'reconnecting';
  for (let i = 0; i < attempts; i++) client.emit('error', refused());
}

describe('RedisOutageLog', () => {
  describe('when Redis goes away and comes back', () => {
    it('should log one line when it goes and one when every watched client is ready, with the failed attempts counted', () => {
      const { lines, log, commands, subscriber } = setUp();

      failAttempts(commands, 7);
      failAttempts(subscriber, 5);
      log.echo('BullMQ worker', refused());
      commands.status = 'ready';
      commands.emit('ready');

      expect(lines).toHaveLength(1);
      expect(log.isDown).toBe(true);

      subscriber.status = 'ready';
      subscriber.emit('ready');

      expect(lines).toHaveLength(2);
      expect(lines[0]).toEqual({
        level: 'warn',
        entry: expect.objectContaining({
          event: 'redis_unreachable',
          msg: 'Redis (127.0.0.1:6379) is unreachable: connect ECONNREFUSED 127.0.0.1:6379. Jobs wait',
        }),
      });
      expect(lines[1]).toEqual({ level: 'log', entry: expect.objectContaining({ event: 'redis_back', failedAttempts: 13 }) });
      expect(log.isDown).toBe(false);
    });
  });

  describe('when a BullMQ connection error arrives after every watched client is ready again', () => {
    it('should drop it as a late echo of the outage that is over', () => {
      const { lines, log } = setUp();

      log.echo('BullMQ worker', new Error('Connection is closed.'));

      expect(lines).toEqual([]);
      expect(log.isDown).toBe(false);
    });
  });

  describe('when BullMQ reports an error that is not about the connection', () => {
    it('should log it, once a minute at most for the same message', () => {
      const { lines, log } = setUp();
      const oom = new Error("OOM command not allowed when used memory > 'maxmemory'.");

      log.echo('BullMQ queue', oom);
      log.echo('BullMQ queue', oom);
      log.echo('BullMQ queue', oom);

      expect(lines).toEqual([{ level: 'warn', entry: expect.objectContaining({ event: 'redis_error', msg: `BullMQ queue: ${oom.message}` }) }]);
    });
  });

  describe('when a watched client is closed on purpose', () => {
    it('should not hold an outage open for it', () => {
      const { lines, commands, subscriber } = setUp();

      failAttempts(commands, 2);
      failAttempts(subscriber, 2);
      subscriber.status = 'end';
      subscriber.emit('end');
      commands.status = 'ready';
      commands.emit('ready');

      expect(lines.map((line) => line.entry['event'])).toEqual(['redis_unreachable', 'redis_back']);
    });
  });

  describe('when an outage lasts', () => {
    afterEach(() => {
      jest.useRealTimers();
    });

    it('should log it again after 1, 3 and 7 minutes (twice as long each time), and stop once Redis is back', () => {
      jest.useFakeTimers();
      const { lines, commands, subscriber } = setUp();
      commands.emit('ready');
      failAttempts(commands, 3);

      jest.advanceTimersByTime(7 * 60_000);
      const reminders = lines.filter((line) => line.entry['event'] === 'redis_still_unreachable');
      expect(reminders.map((line) => line.entry['msg'])).toEqual([
        'Redis (127.0.0.1:6379) is still unreachable after 60 s (3 failed connection attempts)',
        'Redis (127.0.0.1:6379) is still unreachable after 180 s (3 failed connection attempts)',
        'Redis (127.0.0.1:6379) is still unreachable after 420 s (3 failed connection attempts)',
      ]);

      commands.status = 'ready';
      commands.emit('ready');
      subscriber.emit('ready');
      jest.advanceTimersByTime(60 * 60_000);
      expect(lines.filter((line) => line.entry['event'] === 'redis_still_unreachable')).toHaveLength(3);
    });

    // A wrong redis.url (a dead port, a wrong host) looks like an outage that never ends.
    it('should say so when Redis has not answered once since the process started, naming the address to check', () => {
      jest.useFakeTimers();
      const { lines, commands } = setUp();
      failAttempts(commands, 2);

      jest.advanceTimersByTime(60_000);

      expect(lines.at(-1)?.entry['msg']).toBe(
        'Redis (127.0.0.1:6379) is still unreachable after 60 s (2 failed connection attempts); it has not answered once since this process started: check the address (127.0.0.1:6379) and credentials',
      );
    });
  });
});
