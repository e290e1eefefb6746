const CONNECTION_ERROR_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN']);

// PostgreSQL SQLSTATEs of a server that cannot serve us now, whatever we ask: 08 (connection
// exception), 28 (the role or its password refused, e.g. rotated under a running app), 3D000 (the
// database is gone), 53 (insufficient resources: too many connections, disk full, out of memory),
// 55000 with a connection (a database set to ALLOW_CONNECTIONS false) and 57P01-57P05 (shut down,
// crash, cannot connect now, database dropped, idle session timeout), 57014 (a statement cancelled:
// the host's `statement_timeout`, or a pooler's) and 25P03 (the idle-in-transaction timeout ended
// the connection). A database that accepts connections but does not answer in time is down to us.
const POSTGRES_UNAVAILABLE = /^(08|28|3D000|53|55000|57P0[1-5]|57014|25P03)/;

const UNAVAILABLE_MESSAGES = [
  'Connection terminated',
  'timeout exceeded when trying to connect',
  'Client has encountered a connection error',
  'Connection is closed',
  'enableOfflineQueue',
  'Command timed out',
  'Reached the max retries per request limit',
  'the database system is',
  'Cannot use a pool after calling end',
  // pg's own `query_timeout` (or `statement_timeout` on the client): the server took too long to answer.
  'Query read timeout',
  // TypeORM releases a query runner whose connection reports an error (PostgreSQL stopped under it);
  // the work's next statement, or a transaction on its manager, then fails with one of these.
  'Query runner already released',
  'provided by a query runner was already released',
];

/**
 * Whether an error means PostgreSQL or Redis could not be reached (answered as 503), as opposed to
 * a bug or bad input. Looks through TypeORM's `driverError` wrapper.
 */
export function isStoreUnavailableError(error: unknown): boolean {
  for (let current: unknown = error, depth = 0; current && depth < 4; depth++) {
    const candidate = current as { code?: unknown; message?: unknown; driverError?: unknown; cause?: unknown; errors?: unknown };
    const code = typeof candidate.code === 'string' ? candidate.code : '';
    const message = typeof candidate.message === 'string' ? candidate.message : '';
    if (CONNECTION_ERROR_CODES.has(code) || POSTGRES_UNAVAILABLE.test(code)) return true;
    if (UNAVAILABLE_MESSAGES.some((text) => message.includes(text))) return true;
    if (Array.isArray(candidate.errors) && candidate.errors.some((inner) => isStoreUnavailableError(inner))) return true;
    current = candidate.driverError ?? candidate.cause;
  }
  return false;
}
