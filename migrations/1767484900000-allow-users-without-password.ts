import type { MigrationInterface, QueryRunner } from 'typeorm';

/** A user created by a first single sign-on has no password in the demo app (it signs in through the provider). */
export class AllowUsersWithoutPassword1767484900000 implements MigrationInterface {
  name = 'AllowUsersWithoutPassword1767484900000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE users ALTER COLUMN password_hash DROP NOT NULL`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    // Users without a password cannot be kept by the old schema: they are removed with their links.
    await queryRunner.query(`DELETE FROM auth_sso_links WHERE user_id IN (SELECT id FROM users WHERE password_hash IS NULL)`);
    await queryRunner.query(`DELETE FROM users WHERE password_hash IS NULL`);
    await queryRunner.query(`ALTER TABLE users ALTER COLUMN password_hash SET NOT NULL`);
  }
}
