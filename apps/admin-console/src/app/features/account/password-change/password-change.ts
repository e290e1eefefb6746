import { ChangeDetectionStrategy, Component, inject, output, viewChild } from '@angular/core';
import { FormControl, FormGroup, FormGroupDirective, ReactiveFormsModule, Validators, type AbstractControl, type ValidationErrors } from '@angular/forms';
import { MatButtonModule } from '@angular/material/button';
import { MatCardModule } from '@angular/material/card';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatInputModule } from '@angular/material/input';
import { MatProgressSpinnerModule } from '@angular/material/progress-spinner';
import { firstValueFrom } from 'rxjs';
import { describeProblem } from '../../../core/http/api-error';
import { FormSubmission } from '../../../shared/forms/form-submission';
import { injectNotify } from '../../../shared/ui/notify';
import { AccountApi } from '../account-api';

const sameAsNew = (group: AbstractControl): ValidationErrors | null => {
  const value = group.value as { newPassword?: string; repeat?: string };
  return value.repeat && value.newPassword !== value.repeat ? { mismatch: true } : null;
};

/** Changes the password; the server signs out every other device at the same moment. */
@Component({
  selector: 'app-password-change',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [ReactiveFormsModule, MatButtonModule, MatCardModule, MatFormFieldModule, MatInputModule, MatProgressSpinnerModule],
  template: `
    <mat-card appearance="outlined">
      <mat-card-header
        ><mat-card-title><h3>Change password</h3></mat-card-title></mat-card-header
      >
      <mat-card-content>
        <p class="hint" id="password-change-effect">Changing your password signs out all your other devices.</p>
        <form [formGroup]="form" (ngSubmit)="submit()" aria-describedby="password-change-effect" data-testid="password-form">
          <mat-form-field>
            <mat-label>Current password</mat-label>
            <input matInput type="password" formControlName="currentPassword" autocomplete="current-password" required />
            <mat-error>Enter your current password.</mat-error>
          </mat-form-field>
          <mat-form-field>
            <mat-label>New password</mat-label>
            <input matInput type="password" formControlName="newPassword" autocomplete="new-password" required />
            <mat-hint>12 to 128 characters.</mat-hint>
            <mat-error>Use 12 to 128 characters.</mat-error>
          </mat-form-field>
          <mat-form-field>
            <mat-label>Repeat new password</mat-label>
            <input matInput type="password" formControlName="repeat" autocomplete="new-password" required />
          </mat-form-field>
          @if (form.hasError('mismatch') && form.controls.repeat.touched) {
            <p class="error" role="alert">The new passwords do not match.</p>
          }
          @if (submission.error()) {
            <p class="error" role="alert">{{ submission.error() }}</p>
          }
          <button matButton="filled" type="submit" [disabled]="submission.busy()" [showProgress]="submission.busy()">
            <mat-spinner progressIndicator diameter="18" aria-label="Changing password" />
            Change password and sign out other devices
          </button>
        </form>
      </mat-card-content>
    </mat-card>
  `,
  styleUrl: '../account-form.scss',
})
export class PasswordChange {
  private readonly api = inject(AccountApi);
  private readonly notify = injectNotify();
  readonly changed = output<number>();

  protected readonly form = new FormGroup(
    {
      currentPassword: new FormControl('', { nonNullable: true, validators: [Validators.required] }),
      newPassword: new FormControl('', {
        nonNullable: true,
        validators: [Validators.required, Validators.minLength(12), Validators.maxLength(128)],
      }),
      repeat: new FormControl('', { nonNullable: true, validators: [Validators.required] }),
    },
    { validators: sameAsNew },
  );
  protected readonly submission = new FormSubmission();
  private readonly formDirective = viewChild.required(FormGroupDirective);

  protected async submit(): Promise<void> {
    const { currentPassword, newPassword } = this.form.getRawValue();
    await this.submission.submit(this.formDirective(), () => firstValueFrom(this.api.changePassword(currentPassword, newPassword)), {
      onSuccess: ({ revoked }) => {
        this.notify(`Password changed. ${revoked} other ${revoked === 1 ? 'device was' : 'devices were'} signed out.`);
        this.changed.emit(revoked);
      },
      failure: (problem) =>
        problem.status === 401 ? null : problem.code === 'invalid_password' ? 'The current password is not correct.' : describeProblem(problem),
    });
  }
}
