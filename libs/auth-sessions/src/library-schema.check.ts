import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { AUTH_SESSIONS_ENTITIES } from './auth-sessions.entities.js';
import { AUTH_SESSIONS_MIGRATIONS } from './migrations/index.js';
import { quoteIdentifier } from './common/auth-tables.js';

/**
 * Refuses a DataSource that does not know the library's entities, at start-up and saying what to
 * add, instead of `EntityMetadataNotFoundError` (a 500) at the first sign-in. Only an initialized
 * DataSource has its entities' metadata to ask.
 */
export function assertLibraryEntities(dataSource: DataSource): void {
  if (!dataSource.isInitialized) return;
  const missing = AUTH_SESSIONS_ENTITIES.filter((entity) => !dataSource.hasMetadata(entity)).map((entity) => entity.name);
  if (missing.length === 0) return;
  throw new Error(
    `AuthSessionsModule: the DataSource does not know the library's entities (${missing.join(', ')}). Add AUTH_SESSIONS_ENTITIES ` +
      'to its entities (TypeOrmModule.forRoot({ entities: [...yourEntities, ...AUTH_SESSIONS_ENTITIES], … })), or set autoLoadEntities: true.',
  );
}

/**
 * The library's tables the database does not have, as each entity's table would be named (in the
 * DataSource's `schema` when it sets one, else through the connection's `search_path`).
 */
export async function missingLibraryTables(dataSource: DataSource): Promise<string[]> {
  const tables = AUTH_SESSIONS_ENTITIES.map((entity) => {
    const metadata = dataSource.getMetadata(entity);
    return metadata.schema ? `${quoteIdentifier(metadata.schema)}.${quoteIdentifier(metadata.tableName)}` : quoteIdentifier(metadata.tableName);
  });
  const rows: Array<{ name: string }> = await dataSource.query('SELECT name FROM unnest($1::text[]) AS name WHERE to_regclass(name) IS NULL', [tables]);
  return rows.map((row) => row.name);
}

/**
 * The library's migrations that TypeORM's migrations table does not list, when it lists some of them:
 * the database was migrated with an older version of the library. Nothing when the table is absent
 * or lists none of them (a host that applies the library's SQL with other tooling).
 */
export async function pendingLibraryMigrations(dataSource: DataSource): Promise<string[]> {
  const options = dataSource.options as { migrationsTableName?: string; schema?: string };
  const name = quoteIdentifier(options.migrationsTableName ?? 'migrations');
  const table = options.schema ? `${quoteIdentifier(options.schema)}.${name}` : name;
  const [{ present }] = await dataSource.query<Array<{ present: boolean }>>('SELECT to_regclass($1) IS NOT NULL AS present', [table]);
  if (!present) return [];
  const rows: Array<{ name: string }> = await dataSource.query(`SELECT name FROM ${table}`);
  const ran = new Set(rows.map((row) => row.name));
  const library = AUTH_SESSIONS_MIGRATIONS.map((migration) => new migration().name ?? migration.name);
  if (!library.some((migrationName) => ran.has(migrationName))) return [];
  return library.filter((migrationName) => !ran.has(migrationName));
}

/** The start-up error for a database without the library's tables: its migrations have not run. */
export function missingTablesError(missing: string[]): Error {
  return new Error(
    `AuthSessionsModule: the database lacks the library's tables ${missing.length > 3 ? `${missing.slice(0, 3).join(', ')} and ${missing.length - 3} more` : missing.join(', ')}: ` +
      "its migrations have not (all) run. Add AUTH_SESSIONS_MIGRATIONS to the DataSource's migrations and set migrationsRun: true, " +
      'or run them with the TypeORM CLI before the app starts.',
  );
}

/**
 * Refuses to start on a database without the library's tables (its migrations not run), rather than
 * answer the first sign-in with a 500 while the jobs and the outbox relay fail every second.
 */
@Injectable()
export class LibraryTablesCheck implements OnModuleInit {
  private readonly logger = new Logger('AuthSessions');

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async onModuleInit(): Promise<void> {
    if (!this.dataSource.isInitialized) return;
    let missing: string[];
    try {
      missing = await missingLibraryTables(this.dataSource);
    } catch (error) {
      // A database that fails this read now is a dependency problem, which requests answer with 503.
      this.logger.warn(`Could not check for the library's tables at start-up: ${(error as Error).message}`);
      return;
    }
    if (missing.length > 0) throw missingTablesError(missing);
    // Tables that exist may still lack what a newer version added. Not refused: an instance of the new
    // version may start while another one runs the migrations (migrationsRun under a lock, as the demo does).
    const pending = await pendingLibraryMigrations(this.dataSource).catch((): string[] => []);
    if (pending.length > 0) {
      this.logger.warn(
        `${pending.length} of the library's migrations have not run on this database (${pending.join(', ')}): run AUTH_SESSIONS_MIGRATIONS ` +
          'before this version serves requests, or the routes that need them will fail.',
      );
    }
  }
}
