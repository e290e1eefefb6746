import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { AUTH_SESSIONS_ENTITIES } from './auth-sessions.entities.js';
import { AUTH_SESSIONS_MIGRATIONS } from './migrations/index.js';
import { quoteIdentifier } from './common/auth-tables.js';
import { InjectAuthDataSource } from './common/auth-data-source.js';

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
 * The prefix of every library migration's name from 0.1.0 on (the ones before it keep their names:
 * released migrations are never edited). A name with it that this version does not know was written
 * by a newer version of the library.
 */
export const LIBRARY_MIGRATION_PREFIX = 'Signoff';

/**
 * Where TypeORM's migrations table stands against this version's migrations:
 * - `pending`: the library's migrations it does not list, when it lists some of them (the database
 *   was migrated with an older version of the library; nothing when the table is absent or lists
 *   none of them: a host that applies the library's SQL with other tooling);
 * - `unknown`: migrations named like the library's (`LIBRARY_MIGRATION_PREFIX`) that this version does
 *   not have: a newer version migrated the database, and this one runs on it after a rollback.
 */
export async function libraryMigrationState(dataSource: DataSource): Promise<{ pending: string[]; unknown: string[] }> {
  const options = dataSource.options as { migrationsTableName?: string; schema?: string };
  const name = quoteIdentifier(options.migrationsTableName ?? 'migrations');
  const table = options.schema ? `${quoteIdentifier(options.schema)}.${name}` : name;
  const [{ present }] = await dataSource.query<Array<{ present: boolean }>>('SELECT to_regclass($1) IS NOT NULL AS present', [table]);
  if (!present) return { pending: [], unknown: [] };
  const rows: Array<{ name: string }> = await dataSource.query(`SELECT name FROM ${table}`);
  const ran = new Set(rows.map((row) => row.name));
  const library = AUTH_SESSIONS_MIGRATIONS.map((migration) => new migration().name ?? migration.name);
  const known = new Set(library);
  const unknown = [...ran].filter((migrationName) => migrationName.startsWith(LIBRARY_MIGRATION_PREFIX) && !known.has(migrationName)).sort();
  if (!library.some((migrationName) => ran.has(migrationName))) return { pending: [], unknown };
  return { pending: library.filter((migrationName) => !ran.has(migrationName)), unknown };
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

  constructor(@InjectAuthDataSource() private readonly dataSource: DataSource) {}

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
    const { pending, unknown } = await libraryMigrationState(this.dataSource).catch(() => ({ pending: [] as string[], unknown: [] as string[] }));
    if (unknown.length > 0) {
      // A rollback: the library's migrations only add (nullable or defaulted columns, tables, indexes),
      // so the previous version runs on the newer schema; what the newer one wrote stays unread.
      this.logger.warn(
        `This database was migrated by a newer version of the library (${unknown.join(', ')}, which this version does not have): ` +
          "this version runs on it, since the library's migrations only add; do not revert them with down() while any instance of the newer version may still run.",
      );
    }
    if (pending.length > 0) {
      this.logger.warn(
        `${pending.length} of the library's migrations have not run on this database (${pending.join(', ')}): run AUTH_SESSIONS_MIGRATIONS ` +
          'before this version serves requests, or the routes that need them will fail.',
      );
    }
  }
}
