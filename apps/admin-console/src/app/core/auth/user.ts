/** The signed-in user as the API describes it. */
export interface User {
  id: string;
  email: string;
  roles: string[];
}

export interface Me {
  user: User;
  /** `sso` when the session came from single sign-on (step-up can then go through the provider). */
  session: { id: string; createdAt: string; expiresAt: string; sso?: { issuer: string } };
}

export interface LoginResponse {
  user: User;
  session: { id: string; expiresAt: string };
}
