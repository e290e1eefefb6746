import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Every refresh token by its session, revoked ones included. The prune of ended sessions deletes their
 * tokens by session, and PostgreSQL checks `auth_refresh_tokens_session_id_fkey` for each session row it
 * deletes: without this index, both are a sequential scan of every token ever issued (the partial
 * `auth_refresh_tokens_session_idx` holds live tokens only, and an ended session has none).
 *
 * Built in the migration's transaction, not `CONCURRENTLY`: TypeORM refuses a migration with its own
 * transaction mode under `migrationsTransactionMode: 'all'`, its default. The build blocks writes to
 * `auth_refresh_tokens` (refreshes and bearer sign-ins wait) while it runs: 1.4–2 s for 2M tokens on a
 * 2-core machine, about 3 s of waiting under load (docs/host-guide.md, "Upgrading"). An operator may have
 * built it beforehand with `CREATE INDEX CONCURRENTLY`, which takes no such lock: a valid index of that
 * name is kept as it is, an invalid one (a concurrent build that failed) is built again.
 */
export class SignoffIndexRefreshTokensBySession1767830400000 implements MigrationInterface {
  name = 'SignoffIndexRefreshTokensBySession1767830400000';

  async up(queryRunner: QueryRunner): Promise<void> {
    // Looks before creating, rather than `CREATE INDEX IF NOT EXISTS`: that takes its SHARE lock on the table
    // before it finds the index (so even the no-op waits behind an open write, and queues refreshes behind
    // it), and it accepts the INVALID index a failed or cancelled `CREATE INDEX CONCURRENTLY` leaves, with
    // which every foreign-key check of the prune is a sequential scan again.
    const rows = (await queryRunner.query(`SELECT indisvalid FROM pg_index WHERE indexrelid = to_regclass('auth_refresh_tokens_session_id_idx')`)) as Array<{
      indisvalid: boolean;
    }>;
    if (rows[0]?.indisvalid === true) return;
    if (rows.length > 0) await queryRunner.query(`DROP INDEX auth_refresh_tokens_session_id_idx`);
    await queryRunner.query(`CREATE INDEX auth_refresh_tokens_session_id_idx ON auth_refresh_tokens (session_id)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX auth_refresh_tokens_session_id_idx`);
  }
}
