import { Location } from '@angular/common';
import { httpResource } from '@angular/common/http';
import { ChangeDetectionStrategy, Component, computed, inject, input, signal } from '@angular/core';
import { FormsModule } from '@angular/forms';
import { MatButtonModule } from '@angular/material/button';
import { MatCheckboxModule } from '@angular/material/checkbox';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatIconModule } from '@angular/material/icon';
import { MatInputModule } from '@angular/material/input';
import { MatProgressBarModule } from '@angular/material/progress-bar';
import { MatTableModule } from '@angular/material/table';
import { Router, RouterLink } from '@angular/router';
import { firstValueFrom } from 'rxjs';
import { PageHeader } from '../../../core/layout/page-header';
import { apiProblemOf, describeProblem } from '../../../core/http/api-error';
import { deviceName } from '../../../shared/sessions/device-icons';
import { DeviceSummary } from '../../../shared/sessions/device-summary';
import { SessionHistory } from '../../../shared/sessions/session-history';
import { splitSessions, type Session, type SessionList } from '../../../shared/sessions/session';
import { TimeAgo } from '../../../shared/time/time-ago';
import { injectConfirm } from '../../../shared/ui/confirm-dialog/confirm';
import { injectNotify } from '../../../shared/ui/notify';
import { AdminUsersApi, userSessionsUrl } from '../admin-users-api';

/** /admin/users/:id: one user's devices, revocable one by one, by selection or all at once, with a note for the audit log. */
@Component({
  selector: 'app-user-detail',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [
    FormsModule,
    MatButtonModule,
    MatCheckboxModule,
    MatFormFieldModule,
    MatIconModule,
    MatInputModule,
    MatProgressBarModule,
    MatTableModule,
    RouterLink,
    PageHeader,
    DeviceSummary,
    SessionHistory,
    TimeAgo,
  ],
  templateUrl: './user-detail.html',
  styleUrl: './user-detail.scss',
})
export class UserDetail {
  private readonly api = inject(AdminUsersApi);
  private readonly confirm = injectConfirm();
  private readonly notify = injectNotify();

  /** The `:id` route parameter. */
  readonly id = input.required<string>();

  /** The list passes the email along in the navigation state; there is no single-user endpoint to ask. */
  protected readonly email = signal<string | null>(emailFromState(inject(Router), inject(Location)));
  protected readonly title = computed(() => this.email() ?? 'User');

  protected readonly sessions = httpResource<SessionList>(() => userSessionsUrl(this.id()));
  protected readonly split = computed(() => splitSessions(this.sessions.hasValue() ? this.sessions.value().sessions : []));
  protected readonly loadError = computed(() => {
    const error = this.sessions.error();
    return error ? describeProblem(apiProblemOf(error)) : null;
  });

  private readonly chosen = signal<ReadonlySet<string>>(new Set());
  /** The selection, limited to sessions that are still active. */
  protected readonly selected = computed(() => new Set(this.split().active.filter((s) => this.chosen().has(s.id)).map((s) => s.id)));
  protected readonly allSelected = computed(() => this.split().active.length > 0 && this.selected().size === this.split().active.length);
  protected readonly someSelected = computed(() => this.selected().size > 0 && !this.allSelected());
  protected readonly note = signal('');
  protected readonly busy = signal(false);
  protected readonly columns = ['select', 'device', 'ip', 'lastActive', 'created'];

  protected name(session: Session): string {
    return deviceName(session.device);
  }

  protected toggle(session: Session): void {
    this.chosen.update((ids) => {
      const next = new Set(ids);
      if (!next.delete(session.id)) next.add(session.id);
      return next;
    });
  }

  protected toggleAll(): void {
    this.chosen.set(this.allSelected() ? new Set() : new Set(this.split().active.map((session) => session.id)));
  }

  protected async revokeSelected(): Promise<void> {
    const ids = [...this.selected()];
    if (ids.length === 0) return;
    const answer = await this.confirm({
      title: `Revoke ${ids.length} ${ids.length === 1 ? 'session' : 'sessions'}?`,
      message: `The selected ${ids.length === 1 ? 'device is' : 'devices are'} signed out at once. The user sees that an administrator signed them out.`,
      confirmLabel: 'Revoke selected',
    });
    if (!answer) return;
    await this.act('The sessions were not revoked', async (note) => {
      const { revoked } = await firstValueFrom(this.api.revokeSessions(this.id(), ids, note));
      this.chosen.set(new Set());
      return `${revoked} ${revoked === 1 ? 'session was' : 'sessions were'} revoked.`;
    });
  }

  protected async revokeAll(): Promise<void> {
    const answer = await this.confirm({
      title: 'Revoke every session of this user?',
      message: 'Every device of this user is signed out at once, including any they are using right now.',
      confirmLabel: 'Revoke all',
    });
    if (!answer) return;
    await this.act('The sessions were not revoked', async (note) => {
      const { revoked } = await firstValueFrom(this.api.logoutEverywhere(this.id(), note));
      this.chosen.set(new Set());
      return `${revoked} ${revoked === 1 ? 'session was' : 'sessions were'} revoked.`;
    });
  }

  private async act(failure: string, work: (note: string | undefined) => Promise<string>): Promise<void> {
    this.busy.set(true);
    try {
      this.notify(await work(this.note().trim() || undefined));
      this.note.set('');
    } catch (error) {
      this.notify.failure(error, failure);
    } finally {
      this.busy.set(false);
      this.sessions.reload();
    }
  }
}

function emailFromState(router: Router, location: Location): string | null {
  const state = router.currentNavigation()?.extras.state ?? (location.getState() as Record<string, unknown> | null);
  const email = state?.['email'];
  return typeof email === 'string' ? email : null;
}
