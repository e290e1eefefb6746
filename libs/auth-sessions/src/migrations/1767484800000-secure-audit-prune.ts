import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Lets an application role that may only INSERT and SELECT the audit tables still run the
 * retention prune: `auth_audit_prune(days)` runs as the role that owns the tables (SECURITY
 * DEFINER, with a fixed search_path so a caller cannot slip in look-alike tables), and only roles
 * granted EXECUTE may call it (PostgreSQL grants functions to PUBLIC by default). The prune's
 * own rules (a sealed prefix, never the last 30 days, a checkpoint and an `audit_pruned` event)
 * are unchanged. A deployment with one role for everything sees no difference.
 * @see docs/postgres.md
 */
export class SecureAuditPrune1767484800000 implements MigrationInterface {
  name = 'SecureAuditPrune1767484800000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      DO $$ BEGIN
        EXECUTE format('ALTER FUNCTION auth_audit_prune(integer) SECURITY DEFINER SET search_path = %I, pg_temp', current_schema());
      END $$`);
    await queryRunner.query(`REVOKE EXECUTE ON FUNCTION auth_audit_prune(integer) FROM PUBLIC`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`GRANT EXECUTE ON FUNCTION auth_audit_prune(integer) TO PUBLIC`);
    await queryRunner.query(`ALTER FUNCTION auth_audit_prune(integer) SECURITY INVOKER RESET search_path`);
  }
}
