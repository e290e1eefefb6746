import { EventEmitter } from 'node:events';
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
});
