import type { MigrationInterface, QueryRunner } from 'typeorm';
import { quoteIdentifier, schemaOption } from '../common/auth-tables.js';

type MigrationClass = new () => MigrationInterface;

/**
 * Runs a migration of the library with `search_path` set to the DataSource's `schema`, so its
 * unqualified `CREATE TABLE auth_…` (and functions, triggers, indexes) land where TypeORM and the
 * library's SQL look for them. Without a `schema` option the migration runs unchanged. The setting is
 * transaction-local, and the previous `search_path` is put back afterwards, so a host migration running
 * next in the same transaction (`migrationsTransactionMode: 'all'`) sees its own setting.
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
  if (queryRunner.isTransactionActive) return inSchema(queryRunner, schema, work);
  // `migrationsTransactionMode: 'none'`: the migration gets a transaction of its own, so that the
  // setting is transaction-local and every statement runs on one server connection. A session-level
  // setting would leak through a transaction-mode pooler (PgBouncer hands each statement outside a
  // transaction to any of its server connections, other clients' included), and the migration's next
  // statement could run where the setting is not.
  await queryRunner.startTransaction();
  let result: unknown;
  try {
    result = await inSchema(queryRunner, schema, work);
  } catch (error) {
    await queryRunner.rollbackTransaction();
    throw error;
  }
  await queryRunner.commitTransaction();
  return result;
}

async function inSchema(queryRunner: QueryRunner, schema: string, work: () => Promise<unknown>): Promise<unknown> {
  const rows = (await queryRunner.query(`SELECT current_setting('search_path') AS search_path`)) as Array<{ search_path: string }>;
  const previous = rows[0]?.search_path ?? 'public';
  await queryRunner.query(`SELECT set_config('search_path', $1, true)`, [quoteIdentifier(schema)]);
  // After a failure the rollback undoes the setting (and the transaction refuses queries until then).
  const result = await work();
  await queryRunner.query(`SELECT set_config('search_path', $1, true)`, [previous]);
  return result;
}
