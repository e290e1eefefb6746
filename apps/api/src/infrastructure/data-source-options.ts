import { AUTH_SESSIONS_ENTITIES } from '@signoff/auth-sessions';
import type { DataSourceOptions } from 'typeorm';
import { APP_MIGRATIONS } from '../../../../migrations/index.js';
import { User } from '../users/user.entity.js';

/** One definition of the connection, for the app, the start-up migrations and the TypeORM CLI. */
export function dataSourceOptions(url: string): DataSourceOptions {
  return {
    type: 'postgres',
    url,
    entities: [...AUTH_SESSIONS_ENTITIES, User],
    migrations: APP_MIGRATIONS,
    migrationsTransactionMode: 'each',
    synchronize: false,
    // Fail fast when PostgreSQL is down: a request gets 503 within seconds instead of hanging.
    extra: { max: 20, connectionTimeoutMillis: 3000, query_timeout: 10_000, statement_timeout: 10_000 },
  };
}
