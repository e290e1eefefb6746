import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Stores every email in Unicode NFC, the form the app now writes and looks up (`normalizeEmail`):
 * a row saved before in another form (`cafe` + combining accent) could otherwise no longer sign in
 * with the same address typed in the composed form. A row whose normalised address another user
 * already has (the same address registered twice in two forms) is left as it was, so the unique
 * index holds and nobody's sign-in changes: that user still signs in with the address as first
 * typed, and an operator decides which account to keep. Normalising needs a UTF8 database; with
 * another server encoding every stored email is already plain enough not to need it.
 */
export class NormalizeUserEmails1767830400000 implements MigrationInterface {
  name = 'NormalizeUserEmails1767830400000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      DO $$
      BEGIN
        IF current_setting('server_encoding') <> 'UTF8' THEN
          RETURN;
        END IF;
        UPDATE users u
           SET email = normalize(u.email, NFC)
         WHERE u.email IS NOT NFC NORMALIZED
           AND NOT EXISTS (SELECT 1 FROM users other WHERE other.id <> u.id AND lower(other.email) = lower(normalize(u.email, NFC)));
      END
      $$`);
  }

  async down(): Promise<void> {
    // The original forms are not kept: an NFC address is valid under the old code too.
  }
}
