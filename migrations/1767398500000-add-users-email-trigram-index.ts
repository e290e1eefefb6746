import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The admin user search is a case-insensitive substring match (`lower(email) LIKE '%…%'`), which a
 * b-tree cannot serve: with pg_trgm a GIN trigram index keeps it off a full scan of the users table.
 * pg_trgm is a trusted extension (the database owner may create it); where even that is not allowed,
 * the search keeps working without the index and the migration says so.
 */
export class AddUsersEmailTrigramIndex1767398500000 implements MigrationInterface {
  name = 'AddUsersEmailTrigramIndex1767398500000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      DO $$
      BEGIN
        CREATE EXTENSION IF NOT EXISTS pg_trgm;
        CREATE INDEX IF NOT EXISTS users_email_trgm_idx ON users USING gin (lower(email) gin_trgm_ops);
      EXCEPTION WHEN insufficient_privilege OR undefined_file OR feature_not_supported THEN
        RAISE NOTICE 'users_email_trgm_idx not created (%): the admin user search scans the users table', SQLERRM;
      END $$`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP INDEX IF EXISTS users_email_trgm_idx');
  }
}
