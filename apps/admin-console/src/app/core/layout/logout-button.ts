import { ChangeDetectionStrategy, Component, DestroyRef, inject, input, output } from '@angular/core';
import { MatButtonModule } from '@angular/material/button';
import { MatIconModule } from '@angular/material/icon';
import { MatProgressSpinnerModule } from '@angular/material/progress-spinner';
import type { ApiProblem } from '../http/api-error';
import { Logout, type LogoutResult } from '../auth/logout';

/** A sign-out control for any navigation area; every instance drives the one {@link Logout} action. */
@Component({
  selector: 'app-logout-button',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [MatButtonModule, MatIconModule, MatProgressSpinnerModule],
  template: `
    <button
      [matButton]="appearance()"
      type="button"
      data-testid="logout"
      [showProgress]="logout.pending()"
      [attr.aria-busy]="logout.pending()"
      (click)="signOut()"
    >
      <mat-spinner progressIndicator diameter="18" aria-label="Signing out" />
      <mat-icon aria-hidden="true">logout</mat-icon>
      {{ label() }}
    </button>
  `,
})
export class LogoutButton {
  protected readonly logout = inject(Logout);
  private destroyed = false;
  readonly label = input('Sign out');
  readonly appearance = input<'text' | 'outlined' | 'filled' | 'tonal'>('text');
  readonly signedOut = output<LogoutResult>();
  readonly failed = output<ApiProblem>();

  constructor() {
    inject(DestroyRef).onDestroy(() => (this.destroyed = true));
  }

  protected signOut(): void {
    // A successful sign-out navigates to /login first, which destroys this button: emitting then is
    // Angular's NG0953 warning ("Unexpected emit for destroyed OutputRef"), so a gone button stays quiet.
    void this.logout.run({
      onSuccess: (result) => this.destroyed || this.signedOut.emit(result),
      onError: (problem) => this.destroyed || this.failed.emit(problem),
    });
  }
}
