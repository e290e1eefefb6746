import { ConfigError, loadAppConfig } from './app-config.js';

describe('loadAppConfig', () => {
  describe('REDIS_URL', () => {
    it('should accept one server and a Sentinel URL', () => {
      expect(loadAppConfig({ REDIS_URL: 'redis://localhost:6379' }).redisUrl).toBe('redis://localhost:6379');
      expect(loadAppConfig({ REDIS_URL: 'redis+sentinel://s1:26379,s2:26379/signoff' }).redisUrl).toBe('redis+sentinel://s1:26379,s2:26379/signoff');
    });

    it('should refuse a URL that cannot work, naming the variable', () => {
      expect(() => loadAppConfig({ REDIS_URL: 'redis+sentinel://s1:26379' })).toThrow(ConfigError);
      expect(() => loadAppConfig({ REDIS_URL: 'redis+sentinel://s1:26379' })).toThrow(/^REDIS_URL: .*master name/);
    });
  });

  describe('MIGRATION_DATABASE_URL', () => {
    const runtime = 'postgres://signoff_app:a@db.example.com:5432/signoff';

    it('should be null when unset: one role migrates and runs the app', () => {
      expect(loadAppConfig({ DATABASE_URL: runtime }).migrationDatabaseUrl).toBeNull();
    });

    it('should be kept when it names the same database as DATABASE_URL', () => {
      const owner = 'postgres://signoff_owner:b@db.example.com/signoff';
      expect(loadAppConfig({ DATABASE_URL: runtime, MIGRATION_DATABASE_URL: owner }).migrationDatabaseUrl).toBe(owner);
    });

    it.each([
      [{ MIGRATION_DATABASE_URL: 'postgres://o@db.example.com/signoff' }, /needs DATABASE_URL/],
      [{ DATABASE_URL: runtime, MIGRATION_DATABASE_URL: 'postgres://o@db.example.com/other' }, /same database/],
      [{ DATABASE_URL: runtime, MIGRATION_DATABASE_URL: 'postgres://o@replica.example.com/signoff' }, /same database/],
      [{ DATABASE_URL: 'postgres://db.example.com/signoff', MIGRATION_DATABASE_URL: 'postgres://o@db.example.com/signoff' }, /must name its role/],
      [{ DATABASE_URL: runtime, MIGRATION_DATABASE_URL: 'mysql://o@db.example.com/signoff' }, /postgres:\/\/ URL/],
    ])('should refuse %j', (env, message) => {
      expect(() => loadAppConfig(env)).toThrow(message);
    });
  });

  describe('PASSWORD_HASHING', () => {
    it('should hash at the standard cost unless the test suite asks for the cheap one', () => {
      expect(loadAppConfig({}).passwordHashing).toBe('standard');
      expect(loadAppConfig({ NODE_ENV: 'production', PUBLIC_ORIGIN: 'https://a.example', JWT_SECRET: 'x'.repeat(48) }).passwordHashing).toBe('standard');
      expect(loadAppConfig({ NODE_ENV: 'test', PASSWORD_HASHING: 'fast' }).passwordHashing).toBe('fast');
    });

    it.each([
      [{ PASSWORD_HASHING: 'fast' }, /PASSWORD_HASHING=fast is for the test suite only .*NODE_ENV=development/],
      [{ NODE_ENV: 'production', PUBLIC_ORIGIN: 'https://a.example', JWT_SECRET: 'x'.repeat(48), PASSWORD_HASHING: 'fast' }, /for the test suite only/],
      [{ NODE_ENV: 'test', PASSWORD_HASHING: 'weak' }, /PASSWORD_HASHING must be one of standard, fast/],
    ])('should refuse %j', (env, message) => {
      expect(() => loadAppConfig(env)).toThrow(ConfigError);
      expect(() => loadAppConfig(env)).toThrow(message);
    });
  });
});
