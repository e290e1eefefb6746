import type { Routes } from '@angular/router';
import { provideCharts, withDefaultRegisterables } from 'ng2-charts';
import { AdminOverview } from './admin-overview';

// Chart.js is registered here, so its code loads with this page only (a lazy chunk), not with every page.
export const adminOverviewRoutes: Routes = [
  { path: '', component: AdminOverview, title: 'Overview · Signoff', providers: [provideCharts(withDefaultRegisterables())] },
];
