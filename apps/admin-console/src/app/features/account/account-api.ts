import { HttpClient } from '@angular/common/http';
import { Injectable, inject } from '@angular/core';
import type { Observable } from 'rxjs';
import type { RevokedCount } from '../../shared/sessions/session';
import { api } from '../../core/http/api-base';

/** Credential changes; each signs out every other session of the user and rotates this one's cookies. */
@Injectable({ providedIn: 'root' })
export class AccountApi {
  private readonly http = inject(HttpClient);

  changePassword(currentPassword: string, newPassword: string): Observable<RevokedCount> {
    return this.http.post<RevokedCount>(api('/auth/password'), { currentPassword, newPassword });
  }

  changeEmail(password: string, newEmail: string): Observable<RevokedCount> {
    return this.http.post<RevokedCount>(api('/auth/email'), { password, newEmail });
  }
}
