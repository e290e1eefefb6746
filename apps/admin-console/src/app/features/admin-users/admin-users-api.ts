import { HttpClient, HttpParams } from '@angular/common/http';
import { Injectable, inject } from '@angular/core';
import type { Observable } from 'rxjs';
import type { RevokedCount } from '../../shared/sessions/session';

export function usersUrl(search: string, page: number, pageSize: number): string {
  let params = new HttpParams().set('page', page).set('pageSize', pageSize);
  if (search) params = params.set('search', search);
  return `/api/admin/users?${params.toString()}`;
}

export function userSessionsUrl(userId: string): string {
  return `/api/admin/users/${encodeURIComponent(userId)}/sessions?include=ended`;
}

/** Admin revocations; every one needs a fresh admin session (the step-up dialog may appear). */
@Injectable({ providedIn: 'root' })
export class AdminUsersApi {
  private readonly http = inject(HttpClient);

  revokeSessions(userId: string, sessionIds: readonly string[], note?: string): Observable<RevokedCount> {
    return this.http.post<RevokedCount>(`/api/admin/users/${encodeURIComponent(userId)}/sessions/revoke`, {
      sessionIds,
      ...(note ? { note } : {}),
    });
  }

  logoutEverywhere(userId: string, note?: string): Observable<RevokedCount> {
    return this.http.post<RevokedCount>(`/api/admin/users/${encodeURIComponent(userId)}/logout-everywhere`, note ? { note } : {});
  }
}
