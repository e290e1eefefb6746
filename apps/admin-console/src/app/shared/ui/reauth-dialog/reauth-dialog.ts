import { ChangeDetectionStrategy, Component, inject, signal } from '@angular/core';
import { FormControl, FormGroup, ReactiveFormsModule, Validators } from '@angular/forms';
import { MatButtonModule } from '@angular/material/button';
import { MatDialogModule, MatDialogRef } from '@angular/material/dialog';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatInputModule } from '@angular/material/input';
import { MatProgressSpinnerModule } from '@angular/material/progress-spinner';
import { Router } from '@angular/router';
import { firstValueFrom } from 'rxjs';
import { AuthApi } from '../../../core/auth/auth-api';
import { apiProblemOf, describeProblem } from '../../../core/http/api-error';
import { api } from '../../../core/http/api-base';

/**
 * Step-up: confirms the password (POST /api/auth/reauth) and closes with true once the session is fresh. A single
 * sign-on session is also offered the provider (`GET /api/auth/oidc/login?reauth=1`), which leaves the page.
 */
@Component({
  selector: 'app-reauth-dialog',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [MatDialogModule, MatButtonModule, MatFormFieldModule, MatInputModule, MatProgressSpinnerModule, ReactiveFormsModule],
  template: `
    <form [formGroup]="form" (ngSubmit)="submit()">
      <h2 mat-dialog-title>Confirm your password</h2>
      <mat-dialog-content>
        <p>For your security, this action needs your password again.</p>
        @if (ssoUrl(); as url) {
          <!-- A single sign-on session: the provider signs the user in again and sends the page back here, fresh. -->
          <a matButton="filled" class="sso" [href]="url" data-testid="reauth-sso">Confirm at your organisation's sign-in service</a>
          <p class="muted">You will come back to this page; then do the action again. Or, if you also have a password here:</p>
        }
        <mat-form-field class="password">
          <mat-label>Password</mat-label>
          <input matInput type="password" autocomplete="current-password" formControlName="password" required />
          @if (error()) {
            <mat-error>{{ error() }}</mat-error>
          }
        </mat-form-field>
      </mat-dialog-content>
      <mat-dialog-actions align="end">
        <button matButton type="button" (click)="cancel()">Cancel</button>
        <button matButton="filled" type="submit" [disabled]="busy()" [showProgress]="busy()">
          <mat-spinner progressIndicator diameter="18" aria-label="Confirming" />
          Confirm
        </button>
      </mat-dialog-actions>
    </form>
  `,
  styles: `
    .password {
      width: 100%;
    }
    .sso {
      margin-bottom: 8px;
    }
    .muted {
      color: var(--mat-sys-on-surface-variant);
    }
  `,
})
export class ReauthDialog {
  private readonly api = inject(AuthApi);
  private readonly ref = inject<MatDialogRef<ReauthDialog, boolean>>(MatDialogRef);
  protected readonly password = new FormControl('', { nonNullable: true, validators: [Validators.required] });
  protected readonly form = new FormGroup({ password: this.password });
  protected readonly busy = signal(false);
  protected readonly error = signal('');
  /** Where to confirm at the provider, when this session came from single sign-on. */
  protected readonly ssoUrl = signal<string | null>(null);

  constructor() {
    const returnTo = inject(Router).url;
    firstValueFrom(this.api.me())
      .then((me) => {
        if (me.session.sso) this.ssoUrl.set(api(`/auth/oidc/login?reauth=1&returnTo=${encodeURIComponent(returnTo)}`));
      })
      .catch(() => undefined);
  }

  protected async submit(): Promise<void> {
    if (this.password.invalid || this.busy()) {
      this.password.markAsTouched();
      return;
    }
    this.busy.set(true);
    this.error.set('');
    try {
      await firstValueFrom(this.api.reauth(this.password.value));
      this.ref.close(true);
    } catch (error) {
      const problem = apiProblemOf(error);
      this.error.set(problem.code === 'invalid_password' ? 'The password is not correct.' : describeProblem(problem));
      this.password.setErrors({ server: true });
      this.password.markAsTouched();
    } finally {
      this.busy.set(false);
    }
  }

  protected cancel(): void {
    this.ref.close(false);
  }
}
