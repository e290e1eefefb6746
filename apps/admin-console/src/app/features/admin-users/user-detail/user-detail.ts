import { Location } from '@angular/common';
import { httpResource } from '@angular/common/http';
import { ChangeDetectionStrategy, Component, ElementRef, computed, inject, input, signal, viewChild } from '@angular/core';
import { MatButtonModule } from '@angular/material/button';
import { MatCheckboxModule } from '@angular/material/checkbox';
import { MatIconModule } from '@angular/material/icon';
import { Router, RouterLink } from '@angular/router';
import { ClientSession } from '../../../core/auth/client-session';
import { LoadStatus } from '../../../core/http/load-status';
import { PageHeader } from '../../../core/layout/page-header';
import { deviceName } from '../../../shared/sessions/device-icons';
import { SessionHistory } from '../../../shared/sessions/session-history';
import { SessionList } from '../../../shared/sessions/session-list';
import { splitSessions, type Session, type SessionList as SessionListBody } from '../../../shared/sessions/session';
import { formatDateTime } from '../../../shared/time/date-text';
import { injectConfirm } from '../../../shared/ui/confirm-dialog/confirm';
import type { ConfirmDialogResult } from '../../../shared/ui/confirm-dialog/confirm-dialog';
import { injectFocusReturn } from '../../../shared/ui/focus-return';
import { injectNotify } from '../../../shared/ui/notify';
import type { AdminUser } from '../admin-user';
import { AdminUsersApi, userSessionsUrl, userUrl } from '../admin-users-api';

const NOTE_LABEL = 'Note for the audit log (optional)';
const SIGNS_YOU_OUT = 'This includes the session you are using now: you are signed out of the console at once.';

/** /admin/users/:id: one user's devices, revocable one by one, by selection or all at once, each with a note for the audit log. */
@Component({
  selector: 'app-user-detail',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [MatButtonModule, MatCheckboxModule, MatIconModule, RouterLink, PageHeader, LoadStatus, SessionList, SessionHistory],
  templateUrl: './user-detail.html',
  styleUrl: './user-detail.scss',
})
export class UserDetail {
  private readonly api = inject(AdminUsersApi);
  private readonly confirm = injectConfirm();
  private readonly notify = injectNotify();
  private readonly focusReturn = injectFocusReturn();
  private readonly activeHeading = viewChild<ElementRef<HTMLElement>>('activeHeading');
  private readonly signedIn = inject(ClientSession).user;

  /** The `:id` route parameter. */
  readonly id = input.required<string>();

  /** The list passes the email along, so the heading is right at once; the user endpoint confirms it (and serves deep links). */
  private readonly emailFromList = emailFromState(inject(Router), inject(Location));
  protected readonly user = httpResource<AdminUser>(() => userUrl(this.id()));
  protected readonly email = computed(() => (this.user.hasValue() ? this.user.value().email : this.emailFromList));
  protected readonly title = computed(() => this.email() ?? (this.user.isLoading() ? 'Loading…' : 'Unknown user'));
  protected readonly description = computed(() => {
    if (!this.user.hasValue()) return '';
    const user = this.user.value();
    const roles = user.roles.length ? `Roles: ${user.roles.join(', ')}` : 'No roles';
    const active = user.lastActiveAt ? `last active ${formatDateTime(user.lastActiveAt)}` : 'never signed in';
    return `${roles} · ${user.activeSessions} active ${user.activeSessions === 1 ? 'session' : 'sessions'} · ${active}`;
  });
  protected readonly auditQuery = computed(() => (this.email() ? { email: this.email() } : { userId: this.id() }));

  protected readonly sessions = httpResource<SessionListBody>(() => userSessionsUrl(this.id()));
  protected readonly split = computed(() => splitSessions(this.sessions.hasValue() ? this.sessions.value().sessions : []));

  private readonly chosen = signal<ReadonlySet<string>>(new Set());
  /** The selection, limited to sessions that are still active. */
  protected readonly selected = computed(
    () =>
      new Set(
        this.split()
          .active.filter((s) => this.chosen().has(s.id))
          .map((s) => s.id),
      ),
  );
  protected readonly allSelected = computed(() => this.split().active.length > 0 && this.selected().size === this.split().active.length);
  protected readonly someSelected = computed(() => this.selected().size > 0 && !this.allSelected());
  protected readonly busy = signal(false);
  protected readonly busyIds = signal<ReadonlySet<string>>(new Set());

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

  // Nothing is marked busy while a dialog is open: a disabled button cannot take focus back when the dialog closes.
  protected async revokeOne(session: Session): Promise<void> {
    const trigger = this.focusReturn.trigger();
    // An admin looking at their own account: the list marks the session this console runs on.
    const result = await this.confirm({
      title: session.current ? 'Revoke the session you are using?' : 'Revoke this session?',
      message: session.current
        ? `${deviceName(session.device)} (${session.ip}) is this browser: you are signed out of the console at once.`
        : `${deviceName(session.device)} (${session.ip}) is signed out at once. The user sees that an administrator signed them out.`,
      confirmLabel: session.current ? 'Revoke and sign out' : 'Revoke session',
      noteLabel: NOTE_LABEL,
      destructive: true,
      action: (note, context) => this.api.revokeSession(this.id(), session.id, note, context),
    });
    await this.finish(result, trigger, (busy) => this.busyIds.set(new Set(busy ? [session.id] : [])), {
      done: () => `${deviceName(session.device)} was revoked.`,
      failure: 'The session was not revoked',
    });
  }

  protected async revokeSelected(): Promise<void> {
    const ids = [...this.selected()];
    if (ids.length === 0) return;
    const includesOwn = this.split().active.some((session) => session.current && this.selected().has(session.id));
    const trigger = this.focusReturn.trigger();
    const result = await this.confirm({
      title: `Revoke ${ids.length} ${ids.length === 1 ? 'session' : 'sessions'}?`,
      message:
        `The selected ${ids.length === 1 ? 'device is' : 'devices are'} signed out at once. ` +
        (includesOwn ? SIGNS_YOU_OUT : 'The user sees that an administrator signed them out.'),
      confirmLabel: 'Revoke selected',
      noteLabel: NOTE_LABEL,
      destructive: true,
      action: (note, context) => this.api.revokeSessions(this.id(), ids, note, context),
    });
    await this.finish(result, trigger, (busy) => this.busy.set(busy), {
      done: (revoked) => `${revoked} ${revoked === 1 ? 'session was' : 'sessions were'} revoked.`,
      failure: 'The sessions were not revoked',
    });
  }

  protected async revokeAll(): Promise<void> {
    const trigger = this.focusReturn.trigger();
    const isOwnAccount = this.signedIn()?.id === this.id();
    const result = await this.confirm({
      title: isOwnAccount ? 'Revoke every one of your sessions?' : 'Revoke every session of this user?',
      message: isOwnAccount
        ? `Every device you are signed in on is signed out at once. ${SIGNS_YOU_OUT}`
        : 'Every device of this user is signed out at once, including any they are using right now.',
      confirmLabel: 'Revoke all',
      noteLabel: NOTE_LABEL,
      destructive: true,
      action: (note, context) => this.api.logoutEverywhere(this.id(), note, context),
    });
    await this.finish(result, trigger, (busy) => this.busy.set(busy), {
      done: (revoked) => `${revoked} ${revoked === 1 ? 'session was' : 'sessions were'} revoked.`,
      failure: 'The sessions were not revoked',
    });
  }

  /**
   * After a dialog: says how it went, keeps the buttons disabled until the sessions are reloaded, then gives focus
   * back to the button that opened the dialog, or to the sessions heading when that button is gone or disabled.
   * A cancelled dialog changes nothing (Material has given focus back already).
   */
  private async finish(
    result: ConfirmDialogResult<{ revoked: number } | void> | undefined,
    trigger: HTMLElement | null,
    markBusy: (busy: boolean) => void,
    text: { done: (revoked: number) => string; failure: string },
  ): Promise<void> {
    if (!result) return;
    if (result.status === 'done') {
      this.chosen.set(new Set());
      this.notify(text.done(result.value ? result.value.revoked : 1));
    } else {
      this.notify.failure(result.error, text.failure);
    }
    markBusy(true);
    try {
      this.sessions.reload();
      this.user.reload();
      await this.focusReturn.loaded(this.sessions);
    } finally {
      markBusy(false);
    }
    this.focusReturn.restore(trigger, () => this.activeHeading()?.nativeElement);
  }
}

function emailFromState(router: Router, location: Location): string | null {
  const state = router.currentNavigation()?.extras.state ?? (location.getState() as Record<string, unknown> | null);
  const email: unknown = state?.['email'];
  return typeof email === 'string' ? email : null;
}
