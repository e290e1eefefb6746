import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A session's coarse place, and the two indexes behind the admin overview's daily sign-ins and
 * sign-outs: each day's counts are index-only scans over the last 30 days of `created_at` and
 * `ended_at` (with `end_reason` included), whatever the table's size. Neither index holds
 * `last_active_at`, so the once-a-minute activity write stays a HOT update.
 */
export class AddSessionLocationAndOverviewIndexes1767657600000 implements MigrationInterface {
  name = 'AddSessionLocationAndOverviewIndexes1767657600000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE auth_sessions ADD COLUMN location varchar(160)`);
    await queryRunner.query(`CREATE INDEX auth_sessions_created_at_idx ON auth_sessions (created_at)`);
    await queryRunner.query(`CREATE INDEX auth_sessions_ended_at_idx ON auth_sessions (ended_at) INCLUDE (end_reason) WHERE ended_at IS NOT NULL`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX auth_sessions_ended_at_idx`);
    await queryRunner.query(`DROP INDEX auth_sessions_created_at_idx`);
    await queryRunner.query(`ALTER TABLE auth_sessions DROP COLUMN location`);
  }
}
