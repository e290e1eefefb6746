import { BreakpointObserver } from '@angular/cdk/layout';
import { ChangeDetectionStrategy, Component, ElementRef, computed, inject, viewChild } from '@angular/core';
import { toSignal } from '@angular/core/rxjs-interop';
import { MatButtonModule } from '@angular/material/button';
import { MatIconModule } from '@angular/material/icon';
import { MatMenuModule } from '@angular/material/menu';
import { MatToolbarModule } from '@angular/material/toolbar';
import { RouterLink, RouterLinkActive, RouterOutlet } from '@angular/router';
import { map } from 'rxjs';
import { ClientSession } from '../auth/client-session';
import { Logout } from '../auth/logout';
import { LogoutButton } from './logout-button';

/** Below this width the navigation, the signed-in email and sign-out move into a menu (four links and an email need ~900 px). */
export const COMPACT_QUERY = '(max-width: 959.98px)';

interface NavLink {
  path: string;
  label: string;
  icon: string;
}

/** The frame of every signed-in page: navigation, the signed-in user and sign-out (TERM-15). */
@Component({
  selector: 'app-shell',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [MatToolbarModule, MatButtonModule, MatIconModule, MatMenuModule, RouterOutlet, RouterLink, RouterLinkActive, LogoutButton],
  templateUrl: './shell.html',
  styleUrl: './shell.scss',
})
export class Shell {
  protected readonly session = inject(ClientSession);
  protected readonly logout = inject(Logout);
  protected readonly compact = toSignal(
    inject(BreakpointObserver)
      .observe(COMPACT_QUERY)
      .pipe(map((state) => state.matches)),
    {
      initialValue: false,
    },
  );
  protected readonly links = computed<NavLink[]>(() => [
    ...(this.session.isAdmin()
      ? [
          { path: '/admin/overview', label: 'Overview', icon: 'monitoring' },
          { path: '/admin/users', label: 'Users', icon: 'group' },
          { path: '/admin/audit', label: 'Audit log', icon: 'receipt_long' },
        ]
      : []),
    { path: '/devices', label: 'My devices', icon: 'devices' },
  ]);

  private readonly main = viewChild.required<ElementRef<HTMLElement>>('main');

  /**
   * The skip link moves focus itself: against the document's `<base href="/">`, its `#main` resolves to `/#main`,
   * a full navigation that would lose the page, its filters and the reader's place.
   */
  protected skipToContent(event: Event): void {
    event.preventDefault();
    this.main().nativeElement.focus();
  }

  protected signOut(): void {
    void this.logout.run();
  }

  protected retry(): void {
    void this.logout.run();
  }
}
