import type { Routes } from '@angular/router';
import { provideNativeDateAdapter } from '@angular/material/core';
import { AuditEventList } from './audit-event-list/audit-event-list';

export const auditLogRoutes: Routes = [{ path: '', component: AuditEventList, title: 'Audit log · Signoff', providers: [provideNativeDateAdapter()] }];
