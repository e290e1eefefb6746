import { Injectable } from '@angular/core';
import { api } from '../../core/http/api-base';

/** What the server says about single sign-on: offered, and whether its provider answers right now. */
export interface SsoStatus {
  available: boolean;
}

interface SsoStatusBody {
  enabled?: unknown;
  available?: unknown;
}

/**
 * The two public single sign-on calls of the login page. Plain `fetch`, not HttpClient: they are
 * optional extras, so they must neither hold the page's stability nor go through the session
 * interceptors (no session is involved).
 */
@Injectable({ providedIn: 'root' })
export class SsoApi {
  /** The status, or null when single sign-on is off (`enabled: false`, or a 404 from a server without it) or the server cannot tell. */
  async status(): Promise<SsoStatus | null> {
    try {
      const response = await fetch(api('/auth/oidc/status'), { credentials: 'same-origin', headers: { accept: 'application/json' } });
      if (!response.ok) return null;
      const body = (await response.json()) as SsoStatusBody;
      if (body.enabled === false) return null;
      return { available: body.available === true };
    } catch {
      return null;
    }
  }

  /** Whether `state` is the one this server sent with an RP-initiated logout (the server logs any other). */
  async isLogoutState(state: string): Promise<boolean> {
    try {
      const response = await fetch(api(`/auth/oidc/logged-out?state=${encodeURIComponent(state)}`), { credentials: 'same-origin' });
      return response.status === 204;
    } catch {
      return false;
    }
  }
}
