// A plain shape of the HTTP API (no Nest or TypeORM import): see devices/session.shape.ts.

/** A user as the admin API shows them: `GET /api/admin/users` rows and `GET /api/admin/users/:userId`. */
export interface AdminUserShape<Time = string> {
  id: string;
  email: string;
  roles: string[];
  /** Sessions active now. */
  activeSessions: number;
  /** Latest activity of any of the user's sessions, ended ones included; null when the user never signed in. */
  lastActiveAt: Time | null;
}

/** One page of `GET /api/admin/users`; `page` is 1-based. */
export interface AdminUsersPageShape<Time = string> {
  items: AdminUserShape<Time>[];
  total: number;
  page: number;
  pageSize: number;
}
