import { DOCUMENT, Injectable, inject } from '@angular/core';

/**
 * Leaves the console for another site: the identity provider's end-session page after an SSO
 * logout (RP-initiated logout). `replace`, so Back does not return to the page that signed out.
 */
@Injectable({ providedIn: 'root' })
export class ExternalNavigation {
  private readonly document = inject(DOCUMENT);

  leave(url: string): void {
    this.document.defaultView?.location.replace(url);
  }
}

/** Whether the server's `redirectTo` points to another site (an absolute http(s) URL), not a path of the console. */
export function isExternalRedirect(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === 'https:' || url.protocol === 'http:') && !value.startsWith('/');
  } catch {
    return false;
  }
}
