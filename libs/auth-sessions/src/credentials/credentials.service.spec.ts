import { jest } from '@jest/globals';
import type { ResolvedAuthSessionsOptions } from '../auth-sessions.options.js';
import type { ClientContext } from '../common/client-context.js';
import type { EpochRevocations } from '../jobs/epoch-revocations.js';
import type { RequestAuth } from '../sessions/request-auth.js';
import { InvalidPasswordError } from '../sessions/session.errors.js';
import type { SessionEvents } from '../sessions/session-events.js';
import type { SessionRepository } from '../sessions/session.repository.js';
import type { TokensService } from '../tokens/tokens.service.js';
import type { AuthUsersProvider, SignoffUser } from '../users/users-provider.js';
import { CredentialUnchangedError } from './credentials.errors.js';
import type { AccountThrottle } from '../throttling/account-throttle.js';
import { CredentialsService } from './credentials.service.js';

const CURRENT = 'the current passphrase';
const USER: SignoffUser = { id: '0b6a3c8e-2f41-4d7a-9c5e-1a2b3c4d5e6f', email: 'Caf\u00e9@Example.com', roles: [] };
const AUTH = { user: USER, session: { id: 'session-1' }, method: 'cookie' } as unknown as RequestAuth;
const CLIENT = {} as ClientContext;

/** A host whose stored hash accepts `accepted` (two strings, as a host that normalises passwords would). */
function setUp(accepted: string[] = [CURRENT]) {
  const users = {
    verifyPassword: jest.fn(async (_user: SignoffUser | null, password: string) => accepted.includes(password)),
    changePassword: jest.fn(async () => undefined),
    changeEmail: jest.fn(async () => undefined),
  };
  // Nothing may be written: the transaction that would end the other sessions must never start.
  const transaction = jest.fn(async () => {
    throw new Error('a refused change must not open a transaction');
  });
  const service = new CredentialsService(
    { transaction } as unknown as SessionRepository,
    {} as EpochRevocations,
    {} as SessionEvents,
    {} as TokensService,
    {
      users: users as unknown as AuthUsersProvider,
      credentialChanges: { password: { keepCurrent: true }, email: { keepCurrent: true } },
    } as unknown as ResolvedAuthSessionsOptions,
    // Under the per-account limit: every check goes to the host's users (the limit and its audit have their own spec).
    {
      verifySignedInPassword: async (auth: { user: SignoffUser }, password: string) => {
        if (!(await users.verifyPassword(auth.user, password))) throw new InvalidPasswordError();
      },
    } as unknown as AccountThrottle,
  );
  return { service, users, transaction };
}

describe('CredentialsService', () => {
  describe('changeEmail', () => {
    describe('when the new email is the current one', () => {
      it.each([
        ['as stored', 'Caf\u00e9@Example.com'],
        ['in another case', 'CAF\u00c9@example.COM'],
        ['in another Unicode normal form', 'cafe\u0301@example.com'],
      ])('should refuse it %s with 400 email_unchanged and change nothing', async (_how, newEmail) => {
        const { service, users, transaction } = setUp();

        const attempt = service.changeEmail(AUTH, CLIENT, CURRENT, newEmail);

        await expect(attempt).rejects.toBeInstanceOf(CredentialUnchangedError);
        await expect(attempt).rejects.toMatchObject({ response: { statusCode: 400, code: 'email_unchanged' } });
        expect(users.changeEmail).not.toHaveBeenCalled();
        expect(transaction).not.toHaveBeenCalled();
      });
    });

    describe('when the password is wrong', () => {
      it('should answer 403 invalid_password first, whatever the new email', async () => {
        const { service } = setUp();

        await expect(service.changeEmail(AUTH, CLIENT, 'not it', USER.email)).rejects.toBeInstanceOf(InvalidPasswordError);
      });
    });

    describe('when the new email is another address', () => {
      it('should go on to the change', async () => {
        const { service, transaction } = setUp();

        await expect(service.changeEmail(AUTH, CLIENT, CURRENT, 'cafe@example.com')).rejects.toThrow(/must not open a transaction/);
        expect(transaction).toHaveBeenCalledTimes(1);
      });
    });
  });

  describe('changePassword', () => {
    describe('when the new password is the current one', () => {
      it('should refuse it with 400 password_unchanged and change nothing', async () => {
        const { service, users, transaction } = setUp();

        const attempt = service.changePassword(AUTH, CLIENT, CURRENT, CURRENT);

        await expect(attempt).rejects.toMatchObject({ response: { statusCode: 400, code: 'password_unchanged' } });
        expect(users.changePassword).not.toHaveBeenCalled();
        expect(transaction).not.toHaveBeenCalled();
      });

      it("should refuse a different string that the host's stored hash accepts too", async () => {
        const other = 'the current passphrase, as the host normalises it';
        const { service, users, transaction } = setUp([CURRENT, other]);

        await expect(service.changePassword(AUTH, CLIENT, CURRENT, other)).rejects.toBeInstanceOf(CredentialUnchangedError);
        expect(users.verifyPassword).toHaveBeenLastCalledWith(USER, other);
        expect(transaction).not.toHaveBeenCalled();
      });
    });

    describe('when the current password is wrong', () => {
      it('should answer 403 invalid_password, even when both passwords are the same string', async () => {
        const { service } = setUp();

        await expect(service.changePassword(AUTH, CLIENT, 'not it', 'not it')).rejects.toBeInstanceOf(InvalidPasswordError);
      });
    });

    describe('when the new password is another one', () => {
      it('should go on to the change', async () => {
        const { service, transaction } = setUp();

        await expect(service.changePassword(AUTH, CLIENT, CURRENT, 'a brand new and longer passphrase')).rejects.toThrow(/must not open a transaction/);
        expect(transaction).toHaveBeenCalledTimes(1);
      });
    });
  });
});
