import pg from 'pg';

/** Grey-box reads of the test database (audit rows, stored hashes); tests never write through it. */
export class TestDatabase {
  private readonly pool: pg.Pool;

  constructor(url = process.env['SIGNOFF_TEST_DATABASE_URL']) {
    if (!url) throw new Error('SIGNOFF_TEST_DATABASE_URL is not set: run the e2e tests through jest (global setup).');
    this.pool = new pg.Pool({ connectionString: url, max: 2 });
    // A test's own database is dropped WITH (FORCE) at its end, which kills idle pooled connections:
    // expected then, and never worth an unhandled 'error' event that jest pins on a random test.
    this.pool.on('error', () => undefined);
  }

  async query<T extends pg.QueryResultRow = Record<string, unknown>>(sql: string, params: unknown[] = []): Promise<T[]> {
    return (await this.pool.query<T>(sql, params)).rows;
  }

  /** Audit events of a user, oldest first. */
  auditEvents(userId: string): Promise<Array<Record<string, unknown>>> {
    return this.query('SELECT * FROM auth_audit_events WHERE user_id = $1 ORDER BY seq', [userId]);
  }

  session(sessionId: string): Promise<Record<string, unknown> | undefined> {
    return this.query('SELECT * FROM auth_sessions WHERE id = $1', [sessionId]).then((rows) => rows[0]);
  }

  close(): Promise<void> {
    return this.pool.end();
  }
}
