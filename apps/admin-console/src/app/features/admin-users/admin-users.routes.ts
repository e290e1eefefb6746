import type { Routes } from '@angular/router';
import { UserDetail } from './user-detail/user-detail';
import { UserList } from './user-list/user-list';

export const adminUsersRoutes: Routes = [
  { path: '', component: UserList, title: 'Users · Signoff' },
  { path: ':id', component: UserDetail, title: 'User · Signoff' },
];
