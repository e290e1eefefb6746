/** A row of `GET /api/admin/users`. */
export interface AdminUser {
  id: string;
  email: string;
  roles: string[];
  activeSessions: number;
  lastActiveAt: string | null;
}
