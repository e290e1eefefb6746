/** The signed-in user as the API describes it. */
export interface User {
  id: string;
  email: string;
  roles: string[];
}

export interface Me {
  user: User;
  session: { id: string; createdAt: string; expiresAt: string };
}

export interface LoginResponse {
  user: User;
  session: { id: string; expiresAt: string };
}
