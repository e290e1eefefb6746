import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The audit prune and its checkpoint trigger name the audit tables without a schema. PostgreSQL
 * resolves those names through the caller's `search_path` at run time, so a host whose DataSource
 * puts the library in its own schema (`schema: 'auth'`) would see the prune fail. Pinning each
 * function's `search_path` to the schema it was created in (plus `pg_temp` last, so no temporary
 * table can stand in for an audit table) makes them work from any connection.
 */
export class PinAuditFunctionSearchPath1767571200000 implements MigrationInterface {
  name = 'PinAuditFunctionSearchPath1767571200000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      DO $$ BEGIN
        EXECUTE format('ALTER FUNCTION auth_audit_checkpoint_prune() SET search_path = %I, pg_temp', current_schema());
        EXECUTE format('ALTER FUNCTION auth_audit_prune(integer) SET search_path = %I, pg_temp', current_schema());
      END $$`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER FUNCTION auth_audit_prune(integer) RESET search_path`);
    await queryRunner.query(`ALTER FUNCTION auth_audit_checkpoint_prune() RESET search_path`);
  }
}
