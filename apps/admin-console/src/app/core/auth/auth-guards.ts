import { inject } from '@angular/core';
import { Router, type CanActivateFn, type UrlTree } from '@angular/router';
import { ClientSession, type SessionCheck } from './client-session';

/** Lets signed-in users through; everyone else goes to the login page (with the reason, when a session just ended). */
export const signedInGuard: CanActivateFn = async (_route, state) => {
  const router = inject(Router);
  const check = await checkSession(inject(ClientSession));
  return check?.user ? true : loginTree(router, check, state.url);
};

/** Lets users with `role` through; other signed-in users go to their devices page. */
export function roleGuard(role: string): CanActivateFn {
  return async (_route, state) => {
    const router = inject(Router);
    const session = inject(ClientSession);
    const check = await checkSession(session);
    if (!check?.user) return loginTree(router, check, state.url);
    return check.user.roles.includes(role) ? true : router.createUrlTree(['/devices']);
  };
}

async function checkSession(session: ClientSession): Promise<SessionCheck | null> {
  try {
    return await session.check();
  } catch {
    return null;
  }
}

function loginTree(router: Router, check: SessionCheck | null, next: string): UrlTree {
  const queryParams: Record<string, string> = {};
  if (check === null) queryParams['unavailable'] = '1';
  else if (check.ended) queryParams[check.ended.reason ? 'reason' : 'ended'] = check.ended.reason ?? '1';
  if (next && next !== '/' && !next.startsWith('/login')) queryParams['next'] = next;
  return router.createUrlTree(['/login'], { queryParams });
}
