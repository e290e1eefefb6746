import { ChangeDetectionStrategy, Component, computed, input } from '@angular/core';
import { MatTooltipModule } from '@angular/material/tooltip';
import type { Session } from './session';

/** "SSO" next to a session that came through single sign-on, with the provider in its tooltip; nothing otherwise. */
@Component({
  selector: 'app-sso-badge',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [MatTooltipModule],
  template: `
    @if (issuer(); as issuer) {
      <span
        class="sso"
        data-testid="sso-badge"
        [matTooltip]="'Signed in through ' + issuer"
        [attr.aria-label]="'Signed in through single sign-on (' + issuer + ')'"
        >SSO</span
      >
    }
  `,
  styles: `
    .sso {
      padding: 1px 8px;
      border-radius: 10px;
      border: 1px solid var(--mat-sys-outline-variant);
      color: var(--mat-sys-on-surface-variant);
      font-size: 12px;
      font-weight: 500;
    }
  `,
})
export class SsoBadge {
  readonly session = input.required<Pick<Session, 'sso'>>();
  /** The provider's issuer; it comes from the server's configuration, and is still only ever rendered as text. */
  protected readonly issuer = computed(() => this.session().sso?.issuer ?? null);
}
