import { HttpContext } from '@angular/common/http';
import { ChangeDetectionStrategy, Component, ElementRef, inject, signal, viewChild } from '@angular/core';
import { FormControl, FormsModule, ReactiveFormsModule, Validators } from '@angular/forms';
import { MatButtonModule } from '@angular/material/button';
import { MAT_DIALOG_DATA, MatDialogModule, MatDialogRef } from '@angular/material/dialog';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatInputModule } from '@angular/material/input';
import { MatProgressSpinnerModule } from '@angular/material/progress-spinner';
import { firstValueFrom, type Observable } from 'rxjs';
import { AuthApi } from '../../../core/auth/auth-api';
import { apiProblemOf, describeProblem } from '../../../core/http/api-error';
import { HANDLES_REAUTH } from '../../../core/http/http-context';

export interface ConfirmDialogData<T = unknown> {
  title: string;
  message: string;
  confirmLabel: string;
  /** Offer an optional free-text note (a security report, every admin revocation). */
  noteLabel?: string;
  /** A destructive action: the confirm button takes the warning colour. */
  destructive?: boolean;
  /**
   * The action itself, run by the dialog on confirm. When the server answers 403 `reauth_required`
   * (the session is not fresh), the same dialog asks for the password, then runs the action again:
   * no second dialog. The context it is given keeps the app-wide step-up dialog out of the way.
   */
  action?: (note: string | undefined, context: HttpContext) => Observable<T>;
}

/** How the dialog closed; `undefined` when it was cancelled before anything was sent. */
export type ConfirmDialogResult<T = unknown> =
  | { status: 'done'; note?: string; value?: T }
  /** The action failed (or its password confirmation was cancelled: then `error` is the 403 and nothing changed). */
  | { status: 'failed'; note?: string; error: unknown };

/** Asks before an action (and, given one, runs it with in-place step-up). */
@Component({
  selector: 'app-confirm-dialog',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [MatDialogModule, MatButtonModule, MatFormFieldModule, MatInputModule, MatProgressSpinnerModule, FormsModule, ReactiveFormsModule],
  template: `
    <form (ngSubmit)="confirm()">
      <h2 mat-dialog-title>{{ data.title }}</h2>
      <mat-dialog-content>
        <p>{{ data.message }}</p>
        @if (data.noteLabel) {
          <mat-form-field class="field">
            <mat-label>{{ data.noteLabel }}</mat-label>
            <textarea matInput name="note" [ngModel]="note()" (ngModelChange)="note.set($event)" maxlength="500" rows="2" [readonly]="stepUp()"></textarea>
          </mat-form-field>
        }
        @if (stepUp()) {
          <p class="step-up" id="step-up-why">For your security, this action needs your password again.</p>
          <mat-form-field class="field">
            <mat-label>Password</mat-label>
            <input #passwordInput matInput type="password" autocomplete="current-password" [formControl]="password" aria-describedby="step-up-why" />
            @if (passwordError()) {
              <mat-error>{{ passwordError() }}</mat-error>
            }
          </mat-form-field>
        }
      </mat-dialog-content>
      <mat-dialog-actions align="end">
        <button matButton type="button" (click)="cancel()">Cancel</button>
        <button matButton="filled" type="submit" [class.danger]="data.destructive" [disabled]="busy()" [showProgress]="busy()" data-testid="confirm">
          <mat-spinner progressIndicator diameter="18" aria-label="Working" />
          {{ data.confirmLabel }}
        </button>
      </mat-dialog-actions>
    </form>
  `,
  styles: `
    .field {
      width: 100%;
    }
    .step-up {
      margin: 0 0 8px;
      color: var(--mat-sys-on-surface-variant);
    }
  `,
})
export class ConfirmDialog<T = unknown> {
  protected readonly data = inject<ConfirmDialogData<T>>(MAT_DIALOG_DATA);
  private readonly ref = inject<MatDialogRef<ConfirmDialog<T>, ConfirmDialogResult<T>>>(MatDialogRef);
  private readonly auth = inject(AuthApi);
  private readonly passwordInput = viewChild<ElementRef<HTMLInputElement>>('passwordInput');

  protected readonly note = signal('');
  protected readonly busy = signal(false);
  /** Whether the server asked for the password (the session is not fresh). */
  protected readonly stepUp = signal(false);
  protected readonly passwordError = signal('');
  protected readonly password = new FormControl('', { nonNullable: true, validators: [Validators.required] });
  private reauthRequired: unknown = null;

  protected async confirm(): Promise<void> {
    if (this.busy()) return;
    const note = this.note().trim() || undefined;
    const action = this.data.action;
    if (!action) {
      this.ref.close({ status: 'done', ...(note ? { note } : {}) });
      return;
    }
    this.busy.set(true);
    try {
      if (this.stepUp() && !(await this.confirmPassword())) return;
      const value = await firstValueFrom(action(note, new HttpContext().set(HANDLES_REAUTH, true)));
      this.ref.close({ status: 'done', ...(note ? { note } : {}), value });
    } catch (error) {
      if (apiProblemOf(error).code === 'reauth_required' && !this.stepUp()) {
        this.reauthRequired = error;
        this.stepUp.set(true);
        setTimeout(() => this.passwordInput()?.nativeElement.focus());
        return;
      }
      this.ref.close({ status: 'failed', ...(note ? { note } : {}), error });
    } finally {
      this.busy.set(false);
    }
  }

  protected cancel(): void {
    // Cancelled at the password: the action was refused (403) and nothing changed; the caller says so.
    this.ref.close(this.reauthRequired ? { status: 'failed', error: this.reauthRequired } : undefined);
  }

  private async confirmPassword(): Promise<boolean> {
    if (this.password.invalid) {
      this.password.markAsTouched();
      this.passwordError.set('Enter your password.');
      this.password.setErrors({ required: true });
      return false;
    }
    try {
      await firstValueFrom(this.auth.reauth(this.password.value));
      this.reauthRequired = null;
      this.stepUp.set(false);
      return true;
    } catch (error) {
      const problem = apiProblemOf(error);
      this.passwordError.set(problem.code === 'invalid_password' ? 'The password is not correct.' : describeProblem(problem));
      this.password.setErrors({ server: true });
      this.password.markAsTouched();
      return false;
    }
  }
}
