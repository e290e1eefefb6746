import type { AdminUserShape, AdminUsersPageShape } from '@signoff/auth-sessions-api-types';

/** A user as the admin API shows them (`GET /api/admin/users` rows, `GET /api/admin/users/:userId`). */
export type AdminUser = AdminUserShape;
export type AdminUsersPage = AdminUsersPageShape;
