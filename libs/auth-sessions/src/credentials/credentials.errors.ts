import { BadRequestException, HttpStatus } from '@nestjs/common';

/** The `code` of a credential change refused because it would change nothing. */
export type CredentialUnchangedCode = 'email_unchanged' | 'password_unchanged';

const MESSAGES: Record<CredentialUnchangedCode, string> = {
  email_unchanged: 'The new email is your current email; nothing was changed. Send a different address.',
  password_unchanged: 'The new password is your current password; nothing was changed. Choose a different one.',
};

/**
 * 400 `email_unchanged` / `password_unchanged`: the "new" credential is the current one. A change
 * ends every other session of the user and is audited, so one that changes nothing is refused
 * rather than signing other devices out for no reason.
 */
export class CredentialUnchangedError extends BadRequestException {
  constructor(readonly code: CredentialUnchangedCode) {
    super({ statusCode: HttpStatus.BAD_REQUEST, message: MESSAGES[code], code });
  }
}
