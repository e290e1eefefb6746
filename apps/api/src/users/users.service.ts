import { randomUUID } from 'node:crypto';
import { ConflictException, HttpStatus, Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { type AuthUsersProvider, EmailTakenError, normalizeEmail, type SignoffUser, type SignoffUserPage, type SsoIdentity } from '@signoff/auth-sessions';
import type { EntityManager, Repository } from 'typeorm';
import { User } from './user.entity.js';
import { PasswordHasher } from './password-hasher.js';

const UNIQUE_VIOLATION = '23505';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The demo app's users, offered to the library through `AuthUsersProvider`. Every email is stored
 * and looked up in `normalizeEmail`'s form (NFC): the unique index on lower(email) compares
 * strings, and two normal forms of one address would otherwise be two accounts.
 */
@Injectable()
export class UsersService implements AuthUsersProvider {
  constructor(
    @InjectRepository(User) private readonly users: Repository<User>,
    private readonly passwords: PasswordHasher,
  ) {
    passwords.prepareForUnknownEmails();
  }

  async findById(id: string): Promise<SignoffUser | null> {
    if (!UUID.test(id)) return null;
    const user = await this.users.findOne({ where: { id } });
    return user ? toSignoffUser(user) : null;
  }

  async findByEmail(email: string): Promise<SignoffUser | null> {
    const user = await this.findEntityByEmail(email);
    return user ? toSignoffUser(user) : null;
  }

  async verifyPassword(user: SignoffUser | null, password: string): Promise<boolean> {
    const stored = user ? await this.users.findOne({ where: { id: user.id }, select: { id: true, passwordHash: true } }) : null;
    return this.passwords.verify(stored?.passwordHash ?? null, password);
  }

  async changePassword(userId: string, newPassword: string, manager: EntityManager): Promise<void> {
    await manager.update(User, { id: userId }, { passwordHash: await this.passwords.hash(newPassword), updatedAt: new Date() });
  }

  async changeEmail(userId: string, newEmail: string, manager: EntityManager): Promise<void> {
    try {
      await manager.update(User, { id: userId }, { email: normalizeEmail(newEmail), updatedAt: new Date() });
    } catch (error) {
      if (isUniqueViolation(error)) throw new EmailTakenError();
      throw error;
    }
  }

  async search(query: { search?: string; page: number; pageSize: number }): Promise<SignoffUserPage> {
    const builder = this.users.createQueryBuilder('u').orderBy('lower(u.email)', 'ASC').addOrderBy('u.id', 'ASC');
    if (query.search) {
      builder.where(`lower(u.email) LIKE :pattern ESCAPE '\\'`, { pattern: `%${escapeLike(query.search.toLowerCase())}%` });
    }
    const [users, total] = await builder
      .skip((query.page - 1) * query.pageSize)
      .take(query.pageSize)
      .getManyAndCount();
    return { items: users.map(toSignoffUser), total };
  }

  /** Registers a user with no roles. 409 when the email is taken. */
  async register(email: string, password: string): Promise<SignoffUser> {
    const now = new Date();
    const user = Object.assign(new User(), {
      id: randomUUID(),
      email: normalizeEmail(email),
      passwordHash: await this.passwords.hash(password),
      roles: [],
      createdAt: now,
      updatedAt: now,
    });
    try {
      await this.users.insert(user);
    } catch (error) {
      if (isUniqueViolation(error)) {
        throw new ConflictException({ statusCode: HttpStatus.CONFLICT, message: 'That email address is already registered.' });
      }
      throw error;
    }
    return toSignoffUser(user);
  }

  /**
   * A first single sign-on of an unknown email creates an ordinary user with no password, when the
   * provider vouches for the email; anything else is refused (the sign-in fails with sso_failed).
   */
  async provisionSsoUser(identity: SsoIdentity): Promise<SignoffUser | null> {
    if (!identity.email || !identity.emailVerified) return null;
    const now = new Date();
    const user = Object.assign(new User(), {
      id: randomUUID(),
      email: normalizeEmail(identity.email),
      passwordHash: null,
      roles: [],
      createdAt: now,
      updatedAt: now,
    });
    try {
      await this.users.insert(user);
    } catch (error) {
      // Another sign-in created it a moment ago: the same verified email is the same person.
      if (isUniqueViolation(error)) return this.findByEmail(identity.email);
      throw error;
    }
    return toSignoffUser(user);
  }

  private findEntityByEmail(email: string): Promise<User | null> {
    return this.users
      .createQueryBuilder('u')
      .where('lower(u.email) = lower(:email)', { email: normalizeEmail(email) })
      .getOne();
  }
}

function toSignoffUser(user: User): SignoffUser {
  return { id: user.id, email: user.email, roles: user.roles };
}

function escapeLike(value: string): string {
  return value.replace(/[\\%_]/g, (character) => `\\${character}`);
}

function isUniqueViolation(error: unknown): boolean {
  const candidate = error as { code?: string; driverError?: { code?: string } };
  return candidate.code === UNIQUE_VIOLATION || candidate.driverError?.code === UNIQUE_VIOLATION;
}
