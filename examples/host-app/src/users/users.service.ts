import { randomBytes, randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { type AuthUsersProvider, EmailTakenError, type SignoffUser, type SignoffUserPage } from '@signoff/auth-sessions';
import type { EntityManager, Repository } from 'typeorm';
import { hashPassword, verifyPasswordHash } from './password-hash.js';
import { User } from './user.entity.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The host's users, offered to the library through `AuthUsersProvider`. */
@Injectable()
export class UsersService implements AuthUsersProvider {
  // Unknown names and emails are checked against this, so they cost the time of a real check.
  private readonly dummyHash = hashPassword(randomBytes(16).toString('hex'));

  constructor(@InjectRepository(User) private readonly users: Repository<User>) {}

  /** Adds a user (the example has no sign-up page). */
  async create(input: { email: string; username: string; password: string; roles?: string[] }): Promise<SignoffUser> {
    const user = Object.assign(new User(), {
      id: randomUUID(),
      email: input.email.toLowerCase(),
      username: input.username,
      passwordHash: await hashPassword(input.password),
      roles: input.roles ?? [],
    });
    await this.users.insert(user);
    return toSignoffUser(user);
  }

  /** Deletes a user in the caller's transaction (closing an account). */
  async delete(id: string, manager: EntityManager): Promise<void> {
    await manager.delete(User, { id });
  }

  /** The host's own sign-in checks a username, not an email. */
  async verifyUsername(username: string, password: string): Promise<SignoffUser | null> {
    const user = await this.users.findOne({ where: { username }, select: { id: true, email: true, roles: true, passwordHash: true } });
    const isValid = await verifyPasswordHash(user?.passwordHash ?? (await this.dummyHash), password);
    return user && isValid ? toSignoffUser(user) : null;
  }

  async findById(id: string): Promise<SignoffUser | null> {
    if (!UUID.test(id)) return null;
    const user = await this.users.findOne({ where: { id } });
    return user ? toSignoffUser(user) : null;
  }

  async findByEmail(email: string): Promise<SignoffUser | null> {
    const user = await this.users.createQueryBuilder('u').where('lower(u.email) = lower(:email)', { email }).getOne();
    return user ? toSignoffUser(user) : null;
  }

  async verifyPassword(user: SignoffUser | null, password: string): Promise<boolean> {
    const stored = user ? await this.users.findOne({ where: { id: user.id }, select: { id: true, passwordHash: true } }) : null;
    const isValid = await verifyPasswordHash(stored?.passwordHash ?? (await this.dummyHash), password);
    return stored !== null && isValid;
  }

  async changePassword(userId: string, newPassword: string, manager: EntityManager): Promise<void> {
    await manager.update(User, { id: userId }, { passwordHash: await hashPassword(newPassword) });
  }

  async changeEmail(userId: string, newEmail: string, manager: EntityManager): Promise<void> {
    try {
      await manager.update(User, { id: userId }, { email: newEmail.toLowerCase() });
    } catch (error) {
      if ((error as { driverError?: { code?: string } }).driverError?.code === '23505') throw new EmailTakenError();
      throw error;
    }
  }

  async search(query: { search?: string; page: number; pageSize: number }): Promise<SignoffUserPage> {
    const builder = this.users.createQueryBuilder('u').orderBy('lower(u.email)', 'ASC').addOrderBy('u.id', 'ASC');
    if (query.search)
      builder.where(`lower(u.email) LIKE :pattern ESCAPE '\\'`, { pattern: `%${query.search.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%` });
    const [users, total] = await builder
      .skip((query.page - 1) * query.pageSize)
      .take(query.pageSize)
      .getManyAndCount();
    return { items: users.map(toSignoffUser), total };
  }
}

function toSignoffUser(user: Pick<User, 'id' | 'email' | 'roles'>): SignoffUser {
  return { id: user.id, email: user.email, roles: [...user.roles] };
}
