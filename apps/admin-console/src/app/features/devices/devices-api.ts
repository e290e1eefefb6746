import { HttpClient, type HttpContext } from '@angular/common/http';
import { Injectable, inject } from '@angular/core';
import type { Observable } from 'rxjs';
import type { RevokedCount } from '../../shared/sessions/session';
import { api } from '../../core/http/api-base';

/** The list My devices shows: the user's sessions, ended ones included. */
export const mySessionsUrl = (): string => api('/auth/sessions?include=ended');

/** The signed-in user's own devices (`/api/auth/sessions`) and the "this wasn't me" report. */
@Injectable({ providedIn: 'root' })
export class DevicesApi {
  private readonly http = inject(HttpClient);

  /** Ends one of the user's other sessions (needs a fresh session: the confirm dialog asks for the password). */
  revoke(sessionId: string, context?: HttpContext): Observable<void> {
    return this.http.delete<void>(api(`/auth/sessions/${encodeURIComponent(sessionId)}`), { context });
  }

  revokeOthers(context?: HttpContext): Observable<RevokedCount> {
    return this.http.post<RevokedCount>(api('/auth/sessions/revoke-others'), {}, { context });
  }

  /** Ends every session of the user, this one included. */
  reportSecurityConcern(note?: string, context?: HttpContext): Observable<RevokedCount> {
    return this.http.post<RevokedCount>(api('/auth/security-report'), note ? { note } : {}, { context });
  }
}
