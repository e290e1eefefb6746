import { HttpClient, HttpParams, type HttpContext } from '@angular/common/http';
import { Injectable, inject } from '@angular/core';
import type { Observable } from 'rxjs';
import type { RevokedCount } from '../../shared/sessions/session';
import { api } from '../../core/http/api-base';

export function usersUrl(search: string, page: number, pageSize: number): string {
  let params = new HttpParams().set('page', page).set('pageSize', pageSize);
  if (search) params = params.set('search', search);
  return api(`/admin/users?${params.toString()}`);
}

export function userUrl(userId: string): string {
  return api(`/admin/users/${encodeURIComponent(userId)}`);
}

export function userSessionsUrl(userId: string): string {
  return `${userUrl(userId)}/sessions?include=ended`;
}

/** Admin revocations; every one needs a fresh admin session (the confirm dialog asks for the password in place). */
@Injectable({ providedIn: 'root' })
export class AdminUsersApi {
  private readonly http = inject(HttpClient);

  revokeSession(userId: string, sessionId: string, note?: string, context?: HttpContext): Observable<void> {
    return this.http.delete<void>(`${userUrl(userId)}/sessions/${encodeURIComponent(sessionId)}`, {
      body: note ? { note } : {},
      context,
    });
  }

  revokeSessions(userId: string, sessionIds: readonly string[], note?: string, context?: HttpContext): Observable<RevokedCount> {
    return this.http.post<RevokedCount>(`${userUrl(userId)}/sessions/revoke`, { sessionIds, ...(note ? { note } : {}) }, { context });
  }

  logoutEverywhere(userId: string, note?: string, context?: HttpContext): Observable<RevokedCount> {
    return this.http.post<RevokedCount>(`${userUrl(userId)}/logout-everywhere`, note ? { note } : {}, { context });
  }
}
