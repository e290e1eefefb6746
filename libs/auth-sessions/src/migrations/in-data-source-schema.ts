import type { MigrationInterface, QueryRunner } from 'typeorm';
import { quoteIdentifier, schemaOption } from '../common/auth-tables.js';

type MigrationClass = new () => MigrationInterface;

/**
 * Runs a migration of the library with `search_path` set to the DataSource's `schema`, so its
 * unqualified `CREATE TABLE auth_…` (and functions, triggers, indexes) land where TypeORM and the
 * library's SQL look for them. Without a `schema` option the migration runs unchanged. The previous
 * `search_path` is put back afterwards, so a host migration running next in the same transaction
 * (`migrationsTransactionMode: 'all'`) sees its own setting.
 */
export function inDataSourceSchema(migration: MigrationClass): MigrationClass {
  const InSchema = class extends migration {
    override up(queryRunner: QueryRunner): Promise<unknown> {
      return withSearchPath(queryRunner, () => super.up(queryRunner));
    }

    override down(queryRunner: QueryRunner): Promise<unknown> {
      return withSearchPath(queryRunner, () => super.down(queryRunner));
    }
  };
  // TypeORM names a migration by its `name` field (kept), else by its class name: keep both.
  Object.defineProperty(InSchema, 'name', { value: migration.name });
  return InSchema;
}

async function withSearchPath(queryRunner: QueryRunner, work: () => Promise<unknown>): Promise<unknown> {
  const schema = schemaOption(queryRunner.connection);
  if (!schema) return work();
  const rows = (await queryRunner.query(`SELECT current_setting('search_path') AS search_path`)) as Array<{ search_path: string }>;
  const previous = rows[0]?.search_path ?? 'public';
  // Transaction-local when a transaction is open (the default), else for the session and restored below.
  const isLocal = queryRunner.isTransactionActive;
  await queryRunner.query(`SELECT set_config('search_path', $1, $2)`, [quoteIdentifier(schema), isLocal]);
  let failed = false;
  try {
    return await work();
  } catch (error) {
    failed = true;
    throw error;
  } finally {
    // After a failure inside a transaction, the rollback undoes the local setting (and refuses queries).
    if (!(failed && isLocal)) await queryRunner.query(`SELECT set_config('search_path', $1, $2)`, [previous, isLocal]);
  }
}
