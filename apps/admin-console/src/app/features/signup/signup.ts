import { HttpClient, HttpContext } from '@angular/common/http';
import { ChangeDetectionStrategy, Component, inject, viewChild } from '@angular/core';
import { FormControl, FormGroup, FormGroupDirective, ReactiveFormsModule, Validators, type AbstractControl, type ValidationErrors } from '@angular/forms';
import { MatButtonModule } from '@angular/material/button';
import { MatCardModule } from '@angular/material/card';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatIconModule } from '@angular/material/icon';
import { MatInputModule } from '@angular/material/input';
import { MatProgressSpinnerModule } from '@angular/material/progress-spinner';
import { Router, RouterLink } from '@angular/router';
import { firstValueFrom } from 'rxjs';
import { AuthApi } from '../../core/auth/auth-api';
import { ClientSession } from '../../core/auth/client-session';
import { describeProblem } from '../../core/http/api-error';
import { HANDLES_UNAUTHORIZED } from '../../core/http/http-context';
import { emailAddress } from '../../shared/forms/email-address';
import { FormSubmission } from '../../shared/forms/form-submission';
import { api } from '../../core/http/api-base';

const sameAsPassword = (group: AbstractControl): ValidationErrors | null => {
  const value = group.value as { password?: string; repeat?: string };
  return value.repeat && value.password !== value.repeat ? { mismatch: true } : null;
};

/** /signup: creates an account (`POST /api/auth/register`), then signs in with it. Linked from /login only when registration is open. */
@Component({
  selector: 'app-signup',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [ReactiveFormsModule, MatButtonModule, MatCardModule, MatFormFieldModule, MatIconModule, MatInputModule, MatProgressSpinnerModule, RouterLink],
  template: `
    <main class="page">
      <mat-card class="card" appearance="outlined">
        <mat-card-header>
          <mat-icon mat-card-avatar class="logo" aria-hidden="true">person_add</mat-icon>
          <mat-card-title><h1>Create your account</h1></mat-card-title>
        </mat-card-header>
        <mat-card-content>
          <form [formGroup]="form" (ngSubmit)="submit()" class="form">
            <mat-form-field>
              <mat-label>Email</mat-label>
              <input matInput type="text" inputmode="email" autocapitalize="none" spellcheck="false" formControlName="email" autocomplete="username" required />
              <mat-error>Enter an email address.</mat-error>
            </mat-form-field>
            <mat-form-field>
              <mat-label>Password</mat-label>
              <input matInput type="password" formControlName="password" autocomplete="new-password" required />
              <mat-hint>12 to 128 characters.</mat-hint>
              <mat-error>Use 12 to 128 characters.</mat-error>
            </mat-form-field>
            <mat-form-field>
              <mat-label>Repeat password</mat-label>
              <input matInput type="password" formControlName="repeat" autocomplete="new-password" required />
            </mat-form-field>
            @if (form.hasError('mismatch') && form.controls.repeat.touched) {
              <p class="error" role="alert">The passwords do not match.</p>
            }
            @if (submission.error()) {
              <p class="error" role="alert" data-testid="signup-error">{{ submission.error() }}</p>
            }
            <button matButton="filled" type="submit" [disabled]="submission.busy()" [showProgress]="submission.busy()">
              <mat-spinner progressIndicator diameter="18" aria-label="Creating the account" />
              Create account
            </button>
          </form>
          <p class="signin">Already have an account? <a routerLink="/login">Sign in</a></p>
        </mat-card-content>
      </mat-card>
    </main>
  `,
  styleUrl: '../login/login.scss',
})
export class Signup {
  private readonly http = inject(HttpClient);
  private readonly auth = inject(AuthApi);
  private readonly session = inject(ClientSession);
  private readonly router = inject(Router);
  private readonly formDirective = viewChild.required(FormGroupDirective);

  protected readonly form = new FormGroup(
    {
      email: new FormControl('', { nonNullable: true, validators: [Validators.required, emailAddress] }),
      password: new FormControl('', { nonNullable: true, validators: [Validators.required, Validators.minLength(12), Validators.maxLength(128)] }),
      repeat: new FormControl('', { nonNullable: true, validators: [Validators.required] }),
    },
    { validators: sameAsPassword },
  );
  protected readonly submission = new FormSubmission();

  protected async submit(): Promise<void> {
    const { email, password } = this.form.getRawValue();
    await this.submission.submit(
      this.formDirective(),
      async () => {
        await firstValueFrom(this.http.post(api('/auth/register'), { email, password }, { context: new HttpContext().set(HANDLES_UNAUTHORIZED, true) }));
        // Registering does not sign in (the contract); the same credentials do, at once.
        return firstValueFrom(this.auth.login(email, password, false));
      },
      {
        onSuccess: async (response) => {
          this.session.signedIn(response.user);
          await this.router.navigateByUrl('/');
        },
        failure: (problem) => {
          if (problem.status === 409) return 'That email address is already registered. Sign in instead.';
          if (problem.status === 404) return 'New accounts cannot be created here.';
          return describeProblem(problem);
        },
        keepOnFailure: (value) => ({ ...value, password: '', repeat: '' }),
      },
    );
  }
}
