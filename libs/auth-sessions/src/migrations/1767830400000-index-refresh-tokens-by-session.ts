import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Every refresh token by its session, revoked ones included. The prune of ended sessions deletes their
 * tokens by session, and PostgreSQL checks `auth_refresh_tokens_session_id_fkey` for each session row it
 * deletes: without this index, both are a sequential scan of every token ever issued (the partial
 * `auth_refresh_tokens_session_idx` holds live tokens only, and an ended session has none).
 *
 * Built in the migration's transaction, not `CONCURRENTLY`: TypeORM refuses a migration with its own
 * transaction mode under `migrationsTransactionMode: 'all'`, its default. The build blocks writes to
 * `auth_refresh_tokens` (refreshes and bearer sign-ins wait) while it runs: 1.4 s for 2M tokens
 * on a 2-core machine (docs/host-guide.md, "Upgrading"). `IF NOT EXISTS`: an operator may have built it
 * beforehand with `CREATE INDEX CONCURRENTLY`, which takes no such lock.
 */
export class SignoffIndexRefreshTokensBySession1767830400000 implements MigrationInterface {
  name = 'SignoffIndexRefreshTokensBySession1767830400000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE INDEX IF NOT EXISTS auth_refresh_tokens_session_id_idx ON auth_refresh_tokens (session_id)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX auth_refresh_tokens_session_id_idx`);
  }
}
