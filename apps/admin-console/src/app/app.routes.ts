import type { Routes } from '@angular/router';
import { adminMatch, landingGuard, signedInGuard } from './core/auth/auth-guards';
import { NoAccess } from './core/layout/no-access';
import { Shell } from './core/layout/shell';
import { Login } from './features/login/login';
import { Signup } from './features/signup/signup';

export const routes: Routes = [
  { path: 'login', component: Login, title: 'Sign in · Signoff' },
  { path: 'signup', component: Signup, title: 'Create an account · Signoff' },
  {
    path: '',
    component: Shell,
    canActivate: [signedInGuard],
    // Re-check on every navigation inside the shell (Back and Forward included), not only when entering it.
    runGuardsAndResolvers: 'always',
    children: [
      // Admins land on the overview, everyone else on their devices.
      { path: '', pathMatch: 'full', canActivate: [landingGuard], children: [] },
      { path: 'devices', loadChildren: () => import('./features/devices/devices.routes').then((m) => m.devicesRoutes) },
      {
        path: 'admin',
        canMatch: [adminMatch],
        children: [
          { path: '', pathMatch: 'full', redirectTo: 'overview' },
          { path: 'overview', loadChildren: () => import('./features/admin-overview/admin-overview.routes').then((m) => m.adminOverviewRoutes) },
          { path: 'users', loadChildren: () => import('./features/admin-users/admin-users.routes').then((m) => m.adminUsersRoutes) },
          { path: 'audit', loadChildren: () => import('./features/audit-log/audit-log.routes').then((m) => m.auditLogRoutes) },
        ],
      },
      // A signed-in user without the role: the same URL shows why there is nothing here (no silent redirect).
      { path: 'admin', children: [{ path: '**', component: NoAccess, title: 'No access · Signoff' }] },
    ],
  },
  { path: '**', redirectTo: '' },
];
