import { isStoreUnavailableError } from './store-unavailable.js';

function errorWith(message: string, fields: Record<string, unknown> = {}): Error {
  return Object.assign(new Error(message), fields);
}

describe('isStoreUnavailableError', () => {
  describe('when PostgreSQL or Redis cannot be reached', () => {
    it.each([
      ['a refused connection', errorWith('connect ECONNREFUSED 127.0.0.1:5432', { code: 'ECONNREFUSED' })],
      ['PostgreSQL shutting down (57P01 admin_shutdown)', errorWith('terminating connection due to administrator command', { code: '57P01' })],
      ['PostgreSQL connection failure (08006)', errorWith('connection failure', { code: '08006' })],
      ['a database closed to connections (55000)', errorWith('database "app" is not currently accepting connections', { code: '55000' })],
      ['a database that no longer exists (3D000)', errorWith('database "app" does not exist', { code: '3D000' })],
      ['a password rotated under the app (28P01)', errorWith('password authentication failed for user "app"', { code: '28P01' })],
      ['too many connections (53300)', errorWith('sorry, too many clients already', { code: '53300' })],
      ['a database dropped under the app (57P04)', errorWith('terminating connection because database was dropped', { code: '57P04' })],
      [
        "TypeORM's QueryFailedError wrapping a refused connection",
        errorWith('Query failed', { driverError: { code: 'ECONNREFUSED', message: 'connect ECONNREFUSED' } }),
      ],
      [
        "an AggregateError of every address's refusal",
        Object.assign(new Error(''), { errors: [errorWith('connect ECONNREFUSED ::1:6379', { code: 'ECONNREFUSED' })] }),
      ],
      ['pg losing the connection mid-query', new Error('Connection terminated unexpectedly')],
      // A pooler paused, or a server that accepts connections but does not answer in time.
      ["pg's query_timeout", new Error('Query read timeout')],
      // The connection died under a query runner, which TypeORM then released: the work's next step fails so.
      ['a released query runner', new Error('Query runner already released. Cannot run queries anymore.')],
      [
        "a transaction on a released query runner's manager",
        new Error('Database connection provided by a query runner was already released, cannot continue to use its querying methods anymore.'),
      ],
      ['a statement_timeout (57014)', errorWith('canceling statement due to statement timeout', { code: '57014' })],
      ["TypeORM's QueryFailedError wrapping pg's query_timeout", errorWith('Query read timeout', { driverError: new Error('Query read timeout') })],
      ['ioredis refusing commands while offline', new Error("Stream isn't writeable and enableOfflineQueue options is false")],
      ['a refusal reached through cause', errorWith('could not open session store', { cause: errorWith('connect', { code: 'ECONNREFUSED' }) })],
    ])('should return true for %s', (_label, error) => {
      expect(isStoreUnavailableError(error)).toBe(true);
    });
  });

  describe('when the store answered with an ordinary error', () => {
    it.each([
      ['a unique violation (23505)', errorWith('duplicate key value violates unique constraint', { code: '23505' })],
      ['a check violation (23514)', errorWith('new row violates check constraint', { code: '23514' })],
      ['a syntax error (42601)', errorWith('syntax error at or near', { code: '42601' })],
      ['a wrapped unique violation', errorWith('Query failed', { driverError: { code: '23505', message: 'duplicate key' } })],
      ['a plain Error', new Error('something else went wrong')],
      ['an AggregateError of ordinary errors', Object.assign(new Error(''), { errors: [new Error('bad input')] })],
    ])('should return false for %s', (_label, error) => {
      expect(isStoreUnavailableError(error)).toBe(false);
    });

    it.each([undefined, null, 'ECONNREFUSED', 42])('should return false for the non-error %p', (value) => {
      expect(isStoreUnavailableError(value)).toBe(false);
    });
  });
});
