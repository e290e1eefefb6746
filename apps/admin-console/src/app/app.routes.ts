import type { Routes } from '@angular/router';
import { roleGuard, signedInGuard } from './core/auth/auth-guards';
import { Shell } from './core/layout/shell';
import { Login } from './features/login/login';

export const routes: Routes = [
  { path: 'login', component: Login, title: 'Sign in · Signoff' },
  {
    path: '',
    component: Shell,
    canActivate: [signedInGuard],
    // Re-check on every navigation inside the shell (Back and Forward included), not only when entering it.
    runGuardsAndResolvers: 'always',
    children: [
      { path: '', pathMatch: 'full', redirectTo: 'devices' },
      { path: 'devices', loadChildren: () => import('./features/devices/devices.routes').then((m) => m.devicesRoutes) },
      {
        path: 'admin',
        canActivate: [roleGuard('admin')],
        runGuardsAndResolvers: 'always',
        children: [
          { path: '', pathMatch: 'full', redirectTo: 'users' },
          { path: 'users', loadChildren: () => import('./features/admin-users/admin-users.routes').then((m) => m.adminUsersRoutes) },
          { path: 'audit', loadChildren: () => import('./features/audit-log/audit-log.routes').then((m) => m.auditLogRoutes) },
        ],
      },
    ],
  },
  { path: '**', redirectTo: '' },
];
