import { ChangeDetectionStrategy, Component, inject, output, viewChild } from '@angular/core';
import { FormControl, FormGroup, FormGroupDirective, ReactiveFormsModule, Validators } from '@angular/forms';
import { MatButtonModule } from '@angular/material/button';
import { MatCardModule } from '@angular/material/card';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatInputModule } from '@angular/material/input';
import { MatProgressSpinnerModule } from '@angular/material/progress-spinner';
import { firstValueFrom } from 'rxjs';
import { ClientSession } from '../../../core/auth/client-session';
import { describeProblem } from '../../../core/http/api-error';
import { emailAddress } from '../../../shared/forms/email-address';
import { FormSubmission } from '../../../shared/forms/form-submission';
import { injectNotify } from '../../../shared/ui/notify';
import { AccountApi } from '../account-api';

/** Changes the sign-in email; the server signs out every other device at the same moment. */
@Component({
  selector: 'app-email-change',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [ReactiveFormsModule, MatButtonModule, MatCardModule, MatFormFieldModule, MatInputModule, MatProgressSpinnerModule],
  template: `
    <mat-card appearance="outlined">
      <mat-card-header
        ><mat-card-title><h3>Change email address</h3></mat-card-title></mat-card-header
      >
      <mat-card-content>
        <p class="hint" id="email-change-effect">Changing your email address signs out all your other devices.</p>
        <form [formGroup]="form" (ngSubmit)="submit()" aria-describedby="email-change-effect" data-testid="email-form">
          <mat-form-field>
            <mat-label>New email address</mat-label>
            <input matInput type="text" inputmode="email" autocapitalize="none" spellcheck="false" formControlName="newEmail" autocomplete="email" required />
            <mat-error>Enter an email address.</mat-error>
          </mat-form-field>
          <mat-form-field>
            <mat-label>Password</mat-label>
            <input matInput type="password" formControlName="password" autocomplete="current-password" required />
            <mat-error>Enter your password.</mat-error>
          </mat-form-field>
          @if (submission.error()) {
            <p class="error" role="alert">{{ submission.error() }}</p>
          }
          <button matButton="filled" type="submit" [disabled]="submission.busy()" [showProgress]="submission.busy()">
            <mat-spinner progressIndicator diameter="18" aria-label="Changing email address" />
            Change email and sign out other devices
          </button>
        </form>
      </mat-card-content>
    </mat-card>
  `,
  styleUrl: '../account-form.scss',
})
export class EmailChange {
  private readonly api = inject(AccountApi);
  private readonly session = inject(ClientSession);
  private readonly notify = injectNotify();
  readonly changed = output<number>();

  protected readonly form = new FormGroup({
    newEmail: new FormControl('', { nonNullable: true, validators: [Validators.required, emailAddress] }),
    password: new FormControl('', { nonNullable: true, validators: [Validators.required] }),
  });
  protected readonly submission = new FormSubmission();
  private readonly formDirective = viewChild.required(FormGroupDirective);

  protected async submit(): Promise<void> {
    const { newEmail, password } = this.form.getRawValue();
    await this.submission.submit(this.formDirective(), () => firstValueFrom(this.api.changeEmail(password, newEmail)), {
      onSuccess: ({ revoked }) => {
        this.session.emailChanged(newEmail);
        this.notify(`Email address changed. ${revoked} other ${revoked === 1 ? 'device was' : 'devices were'} signed out.`);
        this.changed.emit(revoked);
      },
      failure: (problem) => {
        if (problem.status === 401) return null;
        if (problem.code === 'invalid_password') return 'The password is not correct.';
        if (problem.status === 409) return 'That email address is already in use.';
        return describeProblem(problem);
      },
    });
  }
}
