import { HttpClient } from '@angular/common/http';
import { Injectable, inject } from '@angular/core';
import type { Observable } from 'rxjs';
import type { RevokedCount } from '../../shared/sessions/session';

export const MY_SESSIONS_URL = '/api/auth/sessions?include=ended';

/** The signed-in user's own devices (`/api/auth/sessions`) and the "this wasn't me" report. */
@Injectable({ providedIn: 'root' })
export class DevicesApi {
  private readonly http = inject(HttpClient);

  /** Ends one of the user's other sessions (needs a fresh session: the step-up dialog may appear). */
  revoke(sessionId: string): Observable<void> {
    return this.http.delete<void>(`/api/auth/sessions/${encodeURIComponent(sessionId)}`);
  }

  revokeOthers(): Observable<RevokedCount> {
    return this.http.post<RevokedCount>('/api/auth/sessions/revoke-others', {});
  }

  /** Ends every session of the user, this one included. */
  reportSecurityConcern(note?: string): Observable<RevokedCount> {
    return this.http.post<RevokedCount>('/api/auth/security-report', note ? { note } : {});
  }
}
