import { ChangeDetectionStrategy, Component, computed, DestroyRef, effect, inject, input, viewChild } from '@angular/core';
import { FormControl, FormGroup, FormGroupDirective, ReactiveFormsModule, Validators } from '@angular/forms';
import { MatButtonModule } from '@angular/material/button';
import { MatCardModule } from '@angular/material/card';
import { MatCheckboxModule } from '@angular/material/checkbox';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatIconModule } from '@angular/material/icon';
import { MatInputModule } from '@angular/material/input';
import { MatProgressSpinnerModule } from '@angular/material/progress-spinner';
import { Router, RouterLink } from '@angular/router';
import { firstValueFrom } from 'rxjs';
import { AuthApi } from '../../core/auth/auth-api';
import { ClientSession, isLocalPath } from '../../core/auth/client-session';
import { Logout } from '../../core/auth/logout';
import { describeProblem } from '../../core/http/api-error';
import { emailAddress } from '../../shared/forms/email-address';
import { FormSubmission } from '../../shared/forms/form-submission';
import { RegistrationStatus } from './registration-status';
import { signedOutMessage } from '../../shared/sessions/end-reason-text';
import { isSessionEndReason } from '../../shared/sessions/session';
import { SsoSignIn } from './sso-sign-in';

/** Sign-in, and the page every ended session lands on, saying why it ended. */
/** How often the login page asks again whether the server answers, when it was opened because it did not. */
export const UNAVAILABLE_RECHECK_MS = 5000;

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
    RouterLink,
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
    email: new FormControl('', { nonNullable: true, validators: [Validators.required, emailAddress] }),
    password: new FormControl('', { nonNullable: true, validators: [Validators.required] }),
    rememberMe: new FormControl(false, { nonNullable: true }),
  });
  protected readonly submission = new FormSubmission();
  private readonly formDirective = viewChild.required(FormGroupDirective);
  /** Whether the server takes sign-ups (`GET /api/auth/registration`): the sign-up link shows only then. */
  protected readonly registrationOpen = inject(RegistrationStatus).open;
  /** Someone already signed in who came Back to this page: offer to go on rather than sign in again. */
  protected readonly signedInAs = computed(() => this.session.user());

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

  /** The next look at the server, while the page says it is not available. */
  private recheck: ReturnType<typeof setTimeout> | undefined;

  constructor() {
    // Sent here because the server could not be reached, not because the session ended: ask again
    // every few seconds, and go back to where the user was as soon as the session answers.
    inject(DestroyRef).onDestroy(() => clearTimeout(this.recheck));
    effect(() => {
      clearTimeout(this.recheck);
      if (this.unavailable()) this.checkLater();
    });
  }

  private checkLater(): void {
    this.recheck = setTimeout(() => void this.checkAgain(), UNAVAILABLE_RECHECK_MS);
  }

  /** Where a signed-in user goes from here: `next` when it is a path of this console, else the landing page. */
  private destination(): string {
    const next = this.next();
    return next && isLocalPath(next) ? next : '/';
  }

  private async checkAgain(): Promise<void> {
    const result = await this.session.check().catch(() => null);
    if (result === null) {
      this.checkLater();
      return;
    }
    if (result.user) await this.router.navigateByUrl(this.destination(), { replaceUrl: true });
    // The server answers again and there is no session: the page is an ordinary sign-in page now.
    else await this.router.navigate([], { queryParams: { unavailable: null }, queryParamsHandling: 'merge', replaceUrl: true });
  }

  protected async submit(): Promise<void> {
    const { email, password, rememberMe } = this.form.getRawValue();
    await this.submission.submit(this.formDirective(), () => firstValueFrom(this.api.login(email, password, rememberMe)), {
      onSuccess: async (response) => {
        this.session.signedIn(response.user);
        // Pushed, not replacing this page: Back after a later sign-out then lands here, not on the page before the console.
        await this.router.navigateByUrl(this.destination());
      },
      failure: (problem) => (problem.status === 401 ? 'The email or password is not correct.' : describeProblem(problem)),
      // The password is emptied, and the form is not "submitted" any more: no "Password is required." beside the real message.
      keepOnFailure: (value) => ({ ...value, password: '' }),
    });
  }

  protected continueSignedIn(): void {
    void this.router.navigateByUrl('/');
  }

  protected async retrySignOut(): Promise<void> {
    await this.logout.run();
  }
}
