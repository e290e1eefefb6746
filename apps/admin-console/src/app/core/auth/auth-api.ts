import { HttpClient, HttpContext } from '@angular/common/http';
import { Injectable, inject } from '@angular/core';
import type { Observable } from 'rxjs';
import { HANDLES_REAUTH, HANDLES_UNAUTHORIZED } from '../http/http-context';
import type { LoginResponse, Me } from './user';
import { api } from '../http/api-base';

/** The `/api/auth` calls the console's own session needs. */
@Injectable({ providedIn: 'root' })
export class AuthApi {
  private readonly http = inject(HttpClient);

  me(): Observable<Me> {
    return this.http.get<Me>(api('/auth/me'), { context: new HttpContext().set(HANDLES_UNAUTHORIZED, true) });
  }

  login(email: string, password: string, rememberMe: boolean): Observable<LoginResponse> {
    return this.http.post<LoginResponse>(api('/auth/login'), { email, password, rememberMe }, { context: new HttpContext().set(HANDLES_UNAUTHORIZED, true) });
  }

  logout(): Observable<{ redirectTo?: string }> {
    return this.http.post<{ redirectTo?: string }>(
      api('/auth/logout'),
      {},
      {
        context: new HttpContext().set(HANDLES_UNAUTHORIZED, true),
      },
    );
  }

  reauth(password: string): Observable<unknown> {
    return this.http.post(api('/auth/reauth'), { password }, { context: new HttpContext().set(HANDLES_REAUTH, true) });
  }
}
