import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Single sign-on (OIDC): which provider session a Signoff session came from, the links between a
 * provider's subjects and the host's users, the encrypted `id_token_hint` of RP-initiated logout,
 * and the token ids already used (back-channel logout tokens, SETs, sign-in states), so a replay is
 * refused on every instance.
 */
export class AddSingleSignOn1767744000000 implements MigrationInterface {
  name = 'AddSingleSignOn1767744000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    // Nullable columns without defaults: PostgreSQL adds them without rewriting the table.
    await queryRunner.query(`
      ALTER TABLE auth_sessions
        ADD COLUMN sso_issuer varchar(2048),
        ADD COLUMN sso_subject varchar(255),
        ADD COLUMN sso_sid varchar(255)`);
    // Back-channel logout and session-revoked find active sessions by provider sid or by subject.
    await queryRunner.query(`CREATE INDEX auth_sessions_sso_sid_idx ON auth_sessions (sso_issuer, sso_sid) WHERE sso_sid IS NOT NULL AND ended_at IS NULL`);
    await queryRunner.query(
      `CREATE INDEX auth_sessions_sso_subject_idx ON auth_sessions (sso_issuer, sso_subject) WHERE sso_issuer IS NOT NULL AND ended_at IS NULL`,
    );
    await queryRunner.query(`
      CREATE TABLE auth_sso_links (
        issuer varchar(2048) NOT NULL,
        subject varchar(255) NOT NULL,
        user_id uuid NOT NULL,
        created_at timestamptz NOT NULL,
        last_login_at timestamptz NOT NULL,
        CONSTRAINT auth_sso_links_pkey PRIMARY KEY (issuer, subject)
      )`);
    // One account at a provider per user: a second subject claiming the same user is refused.
    await queryRunner.query(`CREATE UNIQUE INDEX auth_sso_links_issuer_user_key ON auth_sso_links (issuer, user_id)`);
    await queryRunner.query(`CREATE INDEX auth_sso_links_user_idx ON auth_sso_links (user_id)`);
    await queryRunner.query(`
      CREATE TABLE auth_sso_logout_hints (
        session_id uuid PRIMARY KEY REFERENCES auth_sessions (id) ON DELETE CASCADE,
        id_token_hint text NOT NULL,
        created_at timestamptz NOT NULL
      )`);
    await queryRunner.query(`
      CREATE TABLE auth_sso_used_tokens (
        issuer varchar(2048) NOT NULL,
        kind varchar(16) NOT NULL,
        token_id varchar(255) NOT NULL,
        expires_at timestamptz NOT NULL,
        CONSTRAINT auth_sso_used_tokens_pkey PRIMARY KEY (issuer, kind, token_id)
      )`);
    await queryRunner.query(`CREATE INDEX auth_sso_used_tokens_expires_idx ON auth_sso_used_tokens (expires_at)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE auth_sso_used_tokens`);
    await queryRunner.query(`DROP TABLE auth_sso_logout_hints`);
    await queryRunner.query(`DROP TABLE auth_sso_links`);
    await queryRunner.query(`DROP INDEX auth_sessions_sso_subject_idx`);
    await queryRunner.query(`DROP INDEX auth_sessions_sso_sid_idx`);
    await queryRunner.query(`ALTER TABLE auth_sessions DROP COLUMN sso_sid, DROP COLUMN sso_subject, DROP COLUMN sso_issuer`);
  }
}
