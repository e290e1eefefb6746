import { HttpStatus, Inject, Injectable, NotFoundException } from '@nestjs/common';
import { AUTH_SESSIONS_OPTIONS } from '../auth-sessions.module-definition.js';
import type { ResolvedAuthSessionsOptions } from '../auth-sessions.options.js';
import type { AdminUserShape } from './admin-user.shape.js';
import { AdminSessionsRepository } from './admin-sessions.repository.js';

/** One user as the admin pages show them: the host's record plus the same session numbers as the users list. */
@Injectable()
export class AdminUserService {
  constructor(
    private readonly adminSessions: AdminSessionsRepository,
    @Inject(AUTH_SESSIONS_OPTIONS) private readonly options: ResolvedAuthSessionsOptions,
  ) {}

  /** The user with their active session count and last activity; 404 when the host knows no such user. */
  async get(userId: string, now = new Date()): Promise<AdminUserShape<Date>> {
    const user = await this.options.users.findById(userId.toLowerCase());
    if (!user) throw new NotFoundException({ statusCode: HttpStatus.NOT_FOUND, message: 'No such user.' });
    const stats = (await this.adminSessions.sessionStats([user.id], now)).get(user.id);
    return {
      id: user.id,
      email: user.email,
      roles: user.roles,
      activeSessions: stats?.activeSessions ?? 0,
      lastActiveAt: stats?.lastActiveAt ?? null,
    };
  }
}
