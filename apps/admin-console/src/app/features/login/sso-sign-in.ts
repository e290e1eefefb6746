import { ChangeDetectionStrategy, Component, DestroyRef, computed, inject, signal } from '@angular/core';
import { toSignal } from '@angular/core/rxjs-interop';
import { MatButtonModule } from '@angular/material/button';
import { MatIconModule } from '@angular/material/icon';
import { ActivatedRoute } from '@angular/router';
import { isLocalPath } from '../../core/auth/client-session';
import { SsoApi, type SsoStatus } from './sso-api';
import { api } from '../../core/http/api-base';

/** While the provider cannot be reached, how often the page asks again (the link appears when it answers). */
export const SSO_STATUS_RECHECK_MS = 3000;

const PROVIDER_ERRORS: Record<string, string> = {
  access_denied: "Sign-in was cancelled at your organisation's sign-in service.",
  login_required: "Your organisation's sign-in service asked you to sign in again.",
};

/**
 * The login page's single sign-on part: "Sign in with SSO" when the server offers it, why a single
 * sign-on failed (`error=sso_failed`), and, after an RP-initiated logout whose `state` the server
 * recognises, that the provider signed the user out too.
 */
@Component({
  selector: 'app-sso-sign-in',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [MatButtonModule, MatIconModule],
  template: `
    @if (failure(); as text) {
      <p class="error" role="alert" data-testid="sso-error">{{ text }}</p>
    }
    @if (providerSignedOut()) {
      <p class="muted" role="status" data-testid="sso-signed-out">You are also signed out of your organisation's sign-in service.</p>
    }
    @if (status(); as sso) {
      <div class="sso">
        <span class="or">or</span>
        @if (sso.available) {
          <a matButton="outlined" [href]="loginUrl()" data-testid="sso-sign-in">
            <mat-icon aria-hidden="true">corporate_fare</mat-icon>
            Sign in with SSO
          </a>
        } @else {
          <button matButton="outlined" type="button" disabled data-testid="sso-sign-in">Sign in with SSO</button>
          <p class="muted">Your organisation's sign-in service cannot be reached right now. This button comes back by itself when it answers.</p>
        }
      </div>
    }
  `,
  styles: `
    .sso {
      display: flex;
      flex-direction: column;
      gap: 8px;
      margin-top: 16px;
    }
    .or {
      text-align: center;
      color: var(--mat-sys-on-surface-variant);
    }
    .muted {
      color: var(--mat-sys-on-surface-variant);
      margin: 0;
    }
    .error {
      color: var(--mat-sys-error);
    }
  `,
})
export class SsoSignIn {
  private readonly api = inject(SsoApi);
  private readonly query = toSignal(inject(ActivatedRoute).queryParamMap);

  protected readonly status = signal<SsoStatus | null>(null);
  protected readonly providerSignedOut = signal(false);

  protected readonly failure = computed(() => {
    const query = this.query();
    if (query?.get('error') !== 'sso_failed') return null;
    return PROVIDER_ERRORS[query.get('provider_error') ?? ''] ?? 'Single sign-on did not complete. Try again, or sign in with your password.';
  });

  protected readonly loginUrl = computed(() => {
    const next = this.query()?.get('next');
    return next && isLocalPath(next) ? api(`/auth/oidc/login?returnTo=${encodeURIComponent(next)}`) : api('/auth/oidc/login');
  });

  private recheck: ReturnType<typeof setTimeout> | undefined;
  private destroyed = false;

  constructor() {
    inject(DestroyRef).onDestroy(() => {
      this.destroyed = true;
      clearTimeout(this.recheck);
    });
    void this.loadStatus();
    const query = this.query();
    const state = query?.get('state');
    if (query?.get('logged_out') && state) void this.api.isLogoutState(state).then((isOurs) => this.providerSignedOut.set(isOurs));
  }

  private async loadStatus(): Promise<void> {
    const status = await this.api.status();
    if (this.destroyed) return;
    this.status.set(status);
    // A provider that was down a moment ago (the server still rediscovers it) need not cost the user a reload.
    if (status && !status.available) this.recheck = setTimeout(() => void this.loadStatus(), SSO_STATUS_RECHECK_MS);
  }
}
