import { HttpClient, HttpContext } from '@angular/common/http';
import { Injectable, inject, signal } from '@angular/core';
import { HANDLES_UNAUTHORIZED } from '../../core/http/http-context';
import { api } from '../../core/http/api-base';

/**
 * Whether the server takes sign-ups, from `GET /api/auth/registration` (`{open}`), asked once per page
 * load. A host without that route (404) or an unreachable server counts as closed: no link to a form
 * that would fail. A host without sign-up can say so in index.html,
 * `<meta name="signoff-registration" content="closed">`: then nothing is asked, and no 404 shows in the
 * browser's console or its monitoring.
 */
@Injectable({ providedIn: 'root' })
export class RegistrationStatus {
  private readonly state = signal(false);
  private asked = false;
  private readonly http = inject(HttpClient);

  get open() {
    if (!this.asked) {
      this.asked = true;
      if (registrationClosedBy(document)) return this.state.asReadonly();
      this.http
        .get<{ open?: unknown }>(api('/auth/registration'), { context: new HttpContext().set(HANDLES_UNAUTHORIZED, true) })
        .subscribe({ next: (body) => this.state.set(body.open === true), error: () => this.state.set(false) });
    }
    return this.state.asReadonly();
  }
}

/** Whether index.html declares that this host takes no sign-ups (`<meta name="signoff-registration" content="closed">`). */
export function registrationClosedBy(doc: Pick<Document, 'querySelector'>): boolean {
  return doc.querySelector('meta[name="signoff-registration"]')?.getAttribute('content')?.trim().toLowerCase() === 'closed';
}
