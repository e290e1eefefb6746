import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The host's users table; the library's own tables come from AUTH_SESSIONS_MIGRATIONS. */
export class CreateUsers1767657600000 implements MigrationInterface {
  name = 'CreateUsers1767657600000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE users (
        id uuid PRIMARY KEY,
        email varchar(320) NOT NULL,
        username varchar(64) NOT NULL,
        password_hash text NOT NULL,
        roles text[] NOT NULL DEFAULT '{}',
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`CREATE UNIQUE INDEX users_email_key ON users (lower(email))`);
    await queryRunner.query(`CREATE UNIQUE INDEX users_username_key ON users (username)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE users`);
  }
}
