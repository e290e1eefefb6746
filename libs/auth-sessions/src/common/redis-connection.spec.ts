import { RedisConnectionError, resolveRedisConnection } from './redis-connection.js';

describe('resolveRedisConnection', () => {
  describe('when given one server by URL', () => {
    it('should read host, port, credentials, database and TLS', () => {
      const { options, description } = resolveRedisConnection({ url: 'rediss://app:s%40cret@cache.example.com:6380/2' });

      expect(options).toEqual({ host: 'cache.example.com', port: 6380, username: 'app', password: 's@cret', db: 2, tls: {} });
      expect(description).toBe('cache.example.com:6380/2');
    });

    it('should default the port to 6379 and leave database 0 out', () => {
      expect(resolveRedisConnection({ url: 'redis://localhost' }).options).toEqual({ host: 'localhost', port: 6379 });
    });
  });

  describe('when given a Sentinel URL', () => {
    it('should list every Sentinel, the master name, the database and both sets of credentials', () => {
      const { options, description } = resolveRedisConnection({
        url: 'redis+sentinel://:data-pass@10.0.0.1:26379,10.0.0.2,[::1]:26380/signoff/3?sentinelPassword=s%26p',
      });

      expect(options).toMatchObject({
        sentinels: [
          { host: '10.0.0.1', port: 26379 },
          { host: '10.0.0.2', port: 26379 },
          { host: '::1', port: 26380 },
        ],
        name: 'signoff',
        password: 'data-pass',
        sentinelPassword: 's&p',
        db: 3,
      });
      expect(options).not.toHaveProperty('failoverDetector');
      expect(options).not.toHaveProperty('tls');
      expect(description).toBe('Sentinel master "signoff" via 10.0.0.1:26379,10.0.0.2:26379,::1:26380');
      expect(description).not.toContain('pass');
    });

    it('should turn on TLS to the servers and to the Sentinels with rediss+sentinel://', () => {
      expect(resolveRedisConnection({ url: 'rediss+sentinel://s1:26379/mymaster' }).options).toMatchObject({
        tls: {},
        sentinelTLS: {},
        enableTLSForSentinelMode: true,
      });
    });

    it.each([
      ['redis+sentinel://s1:26379', /must end in \/<master name>/],
      ['redis+sentinel://s1:26379/a/b/c', /must end in \/<master name>/],
      ['redis+sentinel://s1:99999/mymaster', /out of range/],
      ['redis+sentinel://s1:26379/mymaster/x', /not a database number/],
      ['redis+sentinel://s1:26379/mymaster?role=slave', /unknown parameter "role"/],
    ])('should refuse %s with a message that says why', (url, message) => {
      expect(() => resolveRedisConnection({ url })).toThrow(message);
    });

    it('should never repeat a password in an error message', () => {
      expect(() => resolveRedisConnection({ url: 'redis+sentinel://u:topsecret@s1:26379' })).toThrow(/u:\*\*\*@/);
      expect(() => resolveRedisConnection({ url: 'redis+sentinel://u:topsecret@s1:26379' })).not.toThrow(/topsecret/);
    });
  });

  describe('when given Sentinels as objects', () => {
    it('should give ioredis the Sentinels and the name, and retry the Sentinels without giving up', () => {
      const { options } = resolveRedisConnection({ sentinels: [{ host: 's1', port: 26379 }], name: 'signoff', password: 'p' });

      expect(options).toMatchObject({ sentinels: [{ host: 's1', port: 26379 }], name: 'signoff', password: 'p' });
      expect(options.sentinelRetryStrategy!(1)).toBe(200);
      expect(options.sentinelRetryStrategy!(1000)).toBe(2000);
    });

    it.each([
      [{ sentinels: [], name: 'm' }, /at least one Sentinel/],
      [{ sentinels: [{ host: 's1', port: 0 }], name: 'm' }, /port from 1 to 65535/],
      [{ sentinels: [{ host: 's1', port: 26379 }], name: '' }, /`name` is required/],
      [{ sentinels: [{ host: 's1', port: 26379 }], name: 'm', db: -1 }, /`db` must be/],
    ])('should refuse %j', (connection, message) => {
      expect(() => resolveRedisConnection(connection)).toThrow(message);
    });
  });

  it.each(['', 'http://localhost:6379', 'localhost:6379', 'redis://'])('should refuse the URL "%s" as a RedisConnectionError', (url) => {
    expect(() => resolveRedisConnection({ url })).toThrow(RedisConnectionError);
  });
});
