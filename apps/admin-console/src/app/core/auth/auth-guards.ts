import { inject } from '@angular/core';
import { Router, type CanActivateFn, type CanMatchFn, type UrlTree } from '@angular/router';
import { ClientSession, returnPath, type SessionCheck } from './client-session';

/** Lets signed-in users through; everyone else goes to the login page (with the reason, when a session just ended). */
export const signedInGuard: CanActivateFn = async (_route, state) => {
  const router = inject(Router);
  const check = await checkSession(inject(ClientSession));
  return check?.user ? true : loginTree(router, check, state.url);
};

/** `/`: admins land on the overview, everyone else on their devices (decided once the session is known). */
export const landingGuard: CanActivateFn = async () => {
  const router = inject(Router);
  const check = await checkSession(inject(ClientSession));
  return router.createUrlTree([check?.user?.roles.includes('admin') ? '/admin/overview' : '/devices']);
};

/**
 * Matches the admin routes for admins only. Anyone else falls through to the next `admin` route (the
 * "no access" page) at the same URL; signing in is the shell's guard's business.
 */
export const adminMatch: CanMatchFn = async () => {
  const check = await checkSession(inject(ClientSession));
  return check?.user?.roles.includes('admin') ?? false;
};

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
  const returnTo = returnPath(next);
  if (returnTo) queryParams['next'] = returnTo;
  return router.createUrlTree(['/login'], { queryParams });
}
