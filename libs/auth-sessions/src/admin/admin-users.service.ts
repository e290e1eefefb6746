import { Inject, Injectable } from '@nestjs/common';
import { AUTH_SESSIONS_OPTIONS } from '../auth-sessions.module-definition.js';
import type { ResolvedAuthSessionsOptions } from '../auth-sessions.options.js';
import { AdminSessionsRepository } from './admin-sessions.repository.js';

/** One row of the admin user list. */
export interface AdminUserSummary {
  id: string;
  email: string;
  roles: string[];
  activeSessions: number;
  lastActiveAt: Date | null;
}

/** One page of the admin user list. */
export interface AdminUsersPage {
  items: AdminUserSummary[];
  total: number;
  page: number;
  pageSize: number;
}

/** The admin's view of the host's users: who they are and how many sessions each has. */
@Injectable()
export class AdminUsersService {
  constructor(
    private readonly adminSessions: AdminSessionsRepository,
    @Inject(AUTH_SESSIONS_OPTIONS) private readonly options: ResolvedAuthSessionsOptions,
  ) {}

  /** A page of the host's user search with each user's active session count and last activity (one aggregate query). */
  async search(query: { search?: string; page: number; pageSize: number }): Promise<AdminUsersPage> {
    const found = await this.options.users.search({ ...(query.search ? { search: query.search } : {}), page: query.page, pageSize: query.pageSize });
    const stats = await this.adminSessions.sessionStats(
      found.items.map((user) => user.id),
      new Date(),
    );
    return {
      items: found.items.map((user) => ({
        id: user.id,
        email: user.email,
        roles: user.roles,
        activeSessions: stats.get(user.id)?.activeSessions ?? 0,
        lastActiveAt: stats.get(user.id)?.lastActiveAt ?? null,
      })),
      total: found.total,
      page: query.page,
      pageSize: query.pageSize,
    };
  }
}
