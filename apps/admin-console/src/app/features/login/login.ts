import { ChangeDetectionStrategy, Component, computed, inject, input, signal } from '@angular/core';
import { FormControl, FormGroup, ReactiveFormsModule, Validators } from '@angular/forms';
import { MatButtonModule } from '@angular/material/button';
import { MatCardModule } from '@angular/material/card';
import { MatCheckboxModule } from '@angular/material/checkbox';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatIconModule } from '@angular/material/icon';
import { MatInputModule } from '@angular/material/input';
import { MatProgressSpinnerModule } from '@angular/material/progress-spinner';
import { Router } from '@angular/router';
import { firstValueFrom } from 'rxjs';
import { AuthApi } from '../../core/auth/auth-api';
import { ClientSession, isLocalPath } from '../../core/auth/client-session';
import { Logout } from '../../core/auth/logout';
import { apiProblemOf, describeProblem } from '../../core/http/api-error';
import { signedOutMessage } from '../../shared/sessions/end-reason-text';
import { isSessionEndReason } from '../../shared/sessions/session';
import { SsoSignIn } from './sso-sign-in';

/** Sign-in, and the page every ended session lands on, saying why it ended. */
@Component({
  selector: 'app-login',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [
    ReactiveFormsModule,
    MatButtonModule,
    MatCardModule,
    MatCheckboxModule,
    MatFormFieldModule,
    MatIconModule,
    MatInputModule,
    MatProgressSpinnerModule,
    SsoSignIn,
  ],
  templateUrl: './login.html',
  styleUrl: './login.scss',
})
export class Login {
  private readonly api = inject(AuthApi);
  private readonly session = inject(ClientSession);
  private readonly router = inject(Router);
  protected readonly logout = inject(Logout);

  /** Query parameters, bound by the router (withComponentInputBinding). */
  readonly logged_out = input<string>();
  readonly reason = input<string>();
  readonly ended = input<string>();
  readonly signout = input<string>();
  readonly unavailable = input<string>();
  readonly next = input<string>();

  protected readonly form = new FormGroup({
    email: new FormControl('', { nonNullable: true, validators: [Validators.required, Validators.email] }),
    password: new FormControl('', { nonNullable: true, validators: [Validators.required] }),
    rememberMe: new FormControl(false, { nonNullable: true }),
  });
  protected readonly busy = signal(false);
  protected readonly error = signal('');

  /** Why the user is here, from the query: a sign-out, or a session that ended elsewhere. */
  protected readonly notice = computed(() => {
    if (this.signout() === 'unconfirmed') return null;
    const reason = this.reason();
    if (isSessionEndReason(reason)) return signedOutMessage(reason);
    if (this.logged_out()) return signedOutMessage('logout');
    if (this.ended()) return 'Your session has ended. Please sign in again.';
    if (this.unavailable()) return 'The server is not available right now. Try again shortly.';
    return null;
  });
  protected readonly signOutUnconfirmed = computed(() => this.signout() === 'unconfirmed');

  protected async submit(): Promise<void> {
    if (this.form.invalid || this.busy()) {
      this.form.markAllAsTouched();
      return;
    }
    this.busy.set(true);
    this.error.set('');
    const { email, password, rememberMe } = this.form.getRawValue();
    try {
      const response = await firstValueFrom(this.api.login(email, password, rememberMe));
      this.session.signedIn(response.user);
      const next = this.next();
      await this.router.navigateByUrl(next && isLocalPath(next) ? next : '/devices', { replaceUrl: true });
    } catch (error) {
      const problem = apiProblemOf(error);
      this.error.set(problem.status === 401 ? 'The email or password is not correct.' : describeProblem(problem));
      this.form.controls.password.reset();
    } finally {
      this.busy.set(false);
    }
  }

  protected async retrySignOut(): Promise<void> {
    await this.logout.run();
  }
}
