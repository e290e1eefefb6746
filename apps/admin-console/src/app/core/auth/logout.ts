import { Injectable, InjectionToken, inject, signal, type OnDestroy } from '@angular/core';
import { firstValueFrom } from 'rxjs';
import { SerialAction, type ActionHooks, type ActionOutcome, type InFlightPolicy } from '../../shared/actions/serial-action';
import { apiProblemOf, type ApiProblem } from '../http/api-error';
import { AuthApi } from './auth-api';
import { ClientSession } from './client-session';
import { ExternalNavigation, isExternalRedirect } from './external-navigation';

/** How a logout click that arrives while a logout is pending is handled (see {@link InFlightPolicy}). */
export const LOGOUT_IN_FLIGHT_POLICY = new InjectionToken<InFlightPolicy>('LOGOUT_IN_FLIGHT_POLICY', {
  providedIn: 'root',
  factory: () => 'executeLast',
});

/** Delays of the automatic retries after an unconfirmed sign-out; the user can retry at once too. */
export const LOGOUT_RETRY_DELAYS_MS = new InjectionToken<readonly number[]>('LOGOUT_RETRY_DELAYS_MS', {
  providedIn: 'root',
  factory: () => [5_000, 15_000, 30_000],
});

export interface LogoutResult {
  redirectTo: string;
}

export type LogoutHooks = ActionHooks<LogoutResult, ApiProblem>;

/**
 * The one logout action, used by every control that signs out. The server ends the session first; only a
 * confirmed logout clears the browser. A 503 (or any 5xx) clears nothing: the session still stands, so the
 * page says sign-out was not confirmed and retries. When the server cannot be reached at all, the browser
 * state is cleared anyway (nothing protected stays on screen) and the login page offers the retry.
 */
@Injectable({ providedIn: 'root' })
export class Logout implements OnDestroy {
  private readonly api = inject(AuthApi);
  private readonly session = inject(ClientSession);
  private readonly external = inject(ExternalNavigation);
  private readonly retryDelays = inject(LOGOUT_RETRY_DELAYS_MS);
  private readonly policy = inject(LOGOUT_IN_FLIGHT_POLICY);
  private readonly action = new SerialAction<LogoutResult, ApiProblem>(
    () => this.perform(),
    () => this.policy,
    apiProblemOf,
  );
  private readonly unconfirmed = signal(false);
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private retries = 0;

  /** Whether a logout is running or queued: the spinner. */
  readonly pending = this.action.pending;
  /** Whether the last attempt was not confirmed by the server (the session may still stand). */
  readonly notConfirmed = this.unconfirmed.asReadonly();

  run(hooks?: LogoutHooks): Promise<ActionOutcome<LogoutResult, ApiProblem>> {
    this.cancelRetry();
    return this.action.execute(hooks);
  }

  ngOnDestroy(): void {
    this.cancelRetry();
  }

  private async perform(): Promise<LogoutResult> {
    let redirectTo: string;
    try {
      redirectTo = (await firstValueFrom(this.api.logout())).redirectTo ?? '/login?logged_out=1';
    } catch (error) {
      const problem = apiProblemOf(error);
      this.unconfirmed.set(true);
      if (problem.status === 0) {
        // The server is unreachable: nothing protected may stay on screen (TERM-14), but the login page
        // must not claim a sign-out the server never confirmed.
        await this.session.end({ reason: 'logout', navigate: 'always', loginQuery: { signout: 'unconfirmed' } });
      } else {
        this.scheduleRetry();
      }
      throw error;
    }
    this.unconfirmed.set(false);
    this.retries = 0;
    // A single sign-on session continues at the identity provider (the server ended it first).
    if (isExternalRedirect(redirectTo)) {
      await this.session.end({ reason: 'logout', navigate: 'never' });
      this.external.leave(redirectTo);
      return { redirectTo };
    }
    await this.session.end({ reason: 'logout', redirectTo, navigate: 'always' });
    return { redirectTo };
  }

  private scheduleRetry(): void {
    const delay = this.retryDelays[this.retries];
    if (delay === undefined) return;
    this.retries++;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      void this.action.execute();
    }, delay);
  }

  private cancelRetry(): void {
    if (this.retryTimer !== null) clearTimeout(this.retryTimer);
    this.retryTimer = null;
  }
}
