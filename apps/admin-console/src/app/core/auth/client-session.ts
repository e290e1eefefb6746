import { DOCUMENT } from '@angular/common';
import { Injectable, computed, inject, signal, type OnDestroy } from '@angular/core';
import { MatDialog } from '@angular/material/dialog';
import { MatSnackBar } from '@angular/material/snack-bar';
import { Router } from '@angular/router';
import { firstValueFrom } from 'rxjs';
import type { SessionEndReason } from '../../shared/sessions/session';
import { apiProblemOf, type ApiProblem } from '../http/api-error';
import { ResponseCache } from '../http/response-cache';
import { AppStorage } from '../storage/app-storage';
import { AuthApi } from './auth-api';
import { SessionEventStream } from './session-event-stream';
import { TabChannel } from './tab-channel';
import type { User } from './user';

/** The outcome of asking whether this browser is signed in. */
export interface SessionCheck {
  user: User | null;
  /** When a session was found to have ended: why, as far as the server said. */
  ended?: { reason?: SessionEndReason };
}

export interface EndOptions {
  reason?: SessionEndReason;
  /** The server's `redirectTo` (logout); used only when it is a path on this origin. */
  redirectTo?: string;
  /** Tell the other tabs; false when the news came from another tab. */
  broadcast?: boolean;
  /**
   * `if-signed-in` (default): go to the login page only when this tab was showing a signed-in user;
   * `always`; `never` (a guard is already redirecting).
   */
  navigate?: 'if-signed-in' | 'always' | 'never';
  /** Extra query parameters for the login page (e.g. `signout=unconfirmed`). */
  loginQuery?: Record<string, string>;
}

/**
 * The browser's view of its session: who is signed in, and the one place that ends the session locally.
 * Every path that ends it (logout, any 401, another tab, the server's logout event, Back after logout)
 * goes through {@link end}, so they all clear the same state in the same way.
 */
@Injectable({ providedIn: 'root' })
export class ClientSession implements OnDestroy {
  private readonly api = inject(AuthApi);
  private readonly router = inject(Router);
  private readonly storage = inject(AppStorage);
  private readonly cache = inject(ResponseCache);
  private readonly events = inject(SessionEventStream);
  private readonly tabs = inject(TabChannel);
  private readonly dialog = inject(MatDialog);
  private readonly snackBar = inject(MatSnackBar);
  private readonly document = inject(DOCUMENT);

  private readonly userState = signal<User | null>(null);
  private pendingCheck: Promise<SessionCheck> | null = null;
  private readonly stopListening: Array<() => void> = [];

  /** The signed-in user, or null. */
  readonly user = this.userState.asReadonly();
  readonly isAdmin = computed(() => this.userState()?.roles.includes('admin') ?? false);

  constructor() {
    this.stopListening.push(
      this.tabs.listen((message) => {
        if (message.type === 'session-ended') void this.end({ reason: message.reason, broadcast: false });
      }),
    );
    const view = this.document.defaultView;
    if (view) {
      const onPageHide = (event: PageTransitionEvent) => this.onPageHide(event);
      const onPageShow = (event: PageTransitionEvent) => void this.onPageShow(event);
      view.addEventListener('pagehide', onPageHide);
      view.addEventListener('pageshow', onPageShow);
      this.stopListening.push(() => {
        view.removeEventListener('pagehide', onPageHide);
        view.removeEventListener('pageshow', onPageShow);
      });
    }
  }

  hasRole(role: string): boolean {
    return this.userState()?.roles.includes(role) ?? false;
  }

  /** The signed-in user from memory, else from `GET /api/auth/me`. Concurrent callers share one request. */
  check(): Promise<SessionCheck> {
    const user = this.userState();
    if (user) return Promise.resolve({ user });
    this.pendingCheck ??= this.fetchUser().finally(() => (this.pendingCheck = null));
    return this.pendingCheck;
  }

  /** After a successful sign-in. */
  signedIn(user: User): void {
    this.userState.set(user);
    this.listenForLogout();
  }

  /** The server changed the email of the signed-in user (the session itself stays, rotated). */
  emailChanged(email: string): void {
    this.userState.update((user) => (user ? { ...user, email } : user));
  }

  /**
   * Ends the session in this browser: forgets the user, every cached response and every storage key the
   * console owns, closes dialogs and the event stream, tells the other tabs, and shows the login page with
   * `replaceUrl`, so Back does not return to the protected page it replaced.
   */
  async end(options: EndOptions = {}): Promise<void> {
    const wasSignedIn = this.userState() !== null;
    this.clearLocalState();
    if (options.broadcast !== false) this.tabs.post({ type: 'session-ended', reason: options.reason });
    const navigate = options.navigate ?? 'if-signed-in';
    if (navigate === 'never' || (navigate === 'if-signed-in' && !wasSignedIn)) return;
    await this.router.navigateByUrl(this.loginUrl(options), { replaceUrl: true });
  }

  ngOnDestroy(): void {
    for (const stop of this.stopListening) stop();
    this.events.disconnect();
  }

  private clearLocalState(): void {
    this.events.disconnect();
    this.userState.set(null);
    this.pendingCheck = null;
    this.cache.clear();
    this.storage.clear();
    this.dialog.closeAll();
    this.snackBar.dismiss();
  }

  private loginUrl(options: EndOptions): string {
    if (options.redirectTo && isLocalPath(options.redirectTo) && !options.loginQuery) return options.redirectTo;
    const query: Record<string, string> = !options.reason ? { ended: '1' } : options.reason === 'logout' ? { logged_out: '1' } : { reason: options.reason };
    Object.assign(query, options.loginQuery);
    // A session that ended under the user (an admin, another device, a timeout) brings them back to
    // the page they were on once they sign in again; a logout of their own starts afresh.
    const next = options.reason === 'logout' || options.loginQuery ? undefined : returnPath(this.router.url);
    if (next) query['next'] = next;
    return this.router.serializeUrl(this.router.createUrlTree(['/login'], { queryParams: query }));
  }

  private async fetchUser(): Promise<SessionCheck> {
    // Without the (script-readable) XSRF cookie there is no session cookie either: skip a request that can only be 401.
    if (!hasXsrfCookie(this.document)) return { user: null };
    try {
      const me = await firstValueFrom(this.api.me());
      this.signedIn(me.user);
      return { user: me.user };
    } catch (error) {
      const problem = apiProblemOf(error);
      if (problem.status !== 401) throw error;
      const ended = endedBy(problem);
      await this.end({ reason: ended?.reason, navigate: 'never', broadcast: ended !== undefined });
      return ended ? { user: null, ended } : { user: null };
    }
  }

  private listenForLogout(): void {
    this.events.connect({
      onLogout: (reason) => void this.end({ reason }),
      onUnauthorized: (problem) => void this.end({ reason: problem.reason }),
    });
  }

  // A page that may enter the back/forward cache is hidden first, so a restored snapshot shows nothing
  // protected until the session has been checked again.
  private onPageHide(event: PageTransitionEvent): void {
    if (event.persisted && this.userState()) this.document.body.classList.add('app-concealed');
  }

  private async onPageShow(event: PageTransitionEvent): Promise<void> {
    if (!event.persisted) return;
    try {
      if (!this.userState()) return;
      this.userState.set(null);
      this.events.disconnect();
      const result = await this.check().catch((): SessionCheck => ({ user: null }));
      if (!result.user) await this.end({ reason: result.ended?.reason, navigate: 'always' });
    } finally {
      this.document.body.classList.remove('app-concealed');
    }
  }
}

function endedBy(problem: ApiProblem): { reason?: SessionEndReason } | undefined {
  if (problem.code !== 'session_ended' && problem.code !== 'session_expired') return undefined;
  return problem.reason ? { reason: problem.reason } : {};
}

function hasXsrfCookie(document: Document): boolean {
  return document.cookie.split(';').some((part) => part.trim().startsWith('XSRF-TOKEN='));
}

/** The page to come back to after signing in (the login page's `next`): a path on this origin other than `/` and the login page itself. */
export function returnPath(url: string): string | undefined {
  return url && url !== '/' && isLocalPath(url) && !url.startsWith('/login') ? url : undefined;
}

/** A path on this origin: `/x`, but never `//host` or `/\host`, which browsers treat as another origin. */
export function isLocalPath(value: string): boolean {
  return value.startsWith('/') && !value.startsWith('//') && !value.startsWith('/\\');
}
