import type { Routes } from '@angular/router';
import { AuditEventList } from './audit-event-list/audit-event-list';
import { provideDayDateAdapter } from './day-date-adapter';

export const auditLogRoutes: Routes = [{ path: '', component: AuditEventList, title: 'Audit log · Signoff', providers: [provideDayDateAdapter()] }];
