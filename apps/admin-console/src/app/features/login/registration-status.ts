import { HttpClient, HttpContext } from '@angular/common/http';
import { Injectable, inject, signal } from '@angular/core';
import { HANDLES_UNAUTHORIZED } from '../../core/http/http-context';

/**
 * Whether the server takes sign-ups, from `GET /api/auth/registration` (`{open}`), asked once per page
 * load. A host without that route (404) or an unreachable server counts as closed: no link to a form
 * that would fail.
 */
@Injectable({ providedIn: 'root' })
export class RegistrationStatus {
  private readonly state = signal(false);
  private asked = false;
  private readonly http = inject(HttpClient);

  get open() {
    if (!this.asked) {
      this.asked = true;
      this.http
        .get<{ open?: unknown }>('/api/auth/registration', { context: new HttpContext().set(HANDLES_UNAUTHORIZED, true) })
        .subscribe({ next: (body) => this.state.set(body.open === true), error: () => this.state.set(false) });
    }
    return this.state.asReadonly();
  }
}
