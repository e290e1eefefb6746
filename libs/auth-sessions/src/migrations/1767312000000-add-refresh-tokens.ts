import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Bearer mode: rotating refresh tokens (one family per session) and a per-session secret generation. */
export class AddRefreshTokens1767312000000 implements MigrationInterface {
  name = 'AddRefreshTokens1767312000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE auth_sessions ADD COLUMN generation integer NOT NULL DEFAULT 0`);
    await queryRunner.query(`
      CREATE TABLE auth_refresh_tokens (
        id uuid PRIMARY KEY,
        session_id uuid NOT NULL REFERENCES auth_sessions (id),
        token_hash bytea NOT NULL,
        parent_id uuid REFERENCES auth_refresh_tokens (id),
        created_at timestamptz NOT NULL,
        used_at timestamptz,
        revoked_at timestamptz
      )`);
    await queryRunner.query(`CREATE UNIQUE INDEX auth_refresh_tokens_token_hash_key ON auth_refresh_tokens (token_hash)`);
    await queryRunner.query(`CREATE INDEX auth_refresh_tokens_session_idx ON auth_refresh_tokens (session_id) WHERE revoked_at IS NULL`);
    await queryRunner.query(`CREATE UNIQUE INDEX auth_refresh_tokens_parent_key ON auth_refresh_tokens (parent_id)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE auth_refresh_tokens`);
    await queryRunner.query(`ALTER TABLE auth_sessions DROP COLUMN generation`);
  }
}
