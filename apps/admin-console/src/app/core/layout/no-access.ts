import { ChangeDetectionStrategy, Component } from '@angular/core';
import { MatButtonModule } from '@angular/material/button';
import { MatIconModule } from '@angular/material/icon';
import { RouterLink } from '@angular/router';

/** What a signed-in user without the admin role sees at an /admin address: why, and where to go instead. */
@Component({
  selector: 'app-no-access',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [MatButtonModule, MatIconModule, RouterLink],
  template: `
    <section class="box" data-testid="no-access">
      <mat-icon class="icon" aria-hidden="true">lock</mat-icon>
      <h1>No access</h1>
      <p>This page is for administrators, and your account does not have that role. If you need it, ask an administrator.</p>
      <a matButton="filled" routerLink="/devices">Go to your devices</a>
    </section>
  `,
  styles: `
    .box {
      max-width: 520px;
      margin: 48px auto;
      text-align: center;
    }
    .icon {
      width: 48px;
      height: 48px;
      font-size: 48px;
      color: var(--mat-sys-on-surface-variant);
    }
    h1 {
      font: var(--mat-sys-headline-small);
    }
  `,
})
export class NoAccess {}
