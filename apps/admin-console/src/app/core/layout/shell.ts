import { ChangeDetectionStrategy, Component, inject } from '@angular/core';
import { MatButtonModule } from '@angular/material/button';
import { MatIconModule } from '@angular/material/icon';
import { MatToolbarModule } from '@angular/material/toolbar';
import { RouterLink, RouterLinkActive, RouterOutlet } from '@angular/router';
import { ClientSession } from '../auth/client-session';
import { Logout } from '../auth/logout';
import { LogoutButton } from './logout-button';

/** The frame of every signed-in page: navigation, the signed-in user and sign-out (TERM-15). */
@Component({
  selector: 'app-shell',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [MatToolbarModule, MatButtonModule, MatIconModule, RouterOutlet, RouterLink, RouterLinkActive, LogoutButton],
  templateUrl: './shell.html',
  styleUrl: './shell.scss',
})
export class Shell {
  protected readonly session = inject(ClientSession);
  protected readonly logout = inject(Logout);

  protected retry(): void {
    void this.logout.run();
  }
}
