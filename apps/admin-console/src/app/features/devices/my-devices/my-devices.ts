import { httpResource } from '@angular/common/http';
import { ChangeDetectionStrategy, Component, ElementRef, computed, inject, signal, viewChild } from '@angular/core';
import { MatButtonModule } from '@angular/material/button';
import { MatIconModule } from '@angular/material/icon';
import { ClientSession } from '../../../core/auth/client-session';
import { LoadStatus } from '../../../core/http/load-status';
import { PageHeader } from '../../../core/layout/page-header';
import { EmailChange } from '../../account/email-change/email-change';
import { PasswordChange } from '../../account/password-change/password-change';
import { deviceName } from '../../../shared/sessions/device-icons';
import { SessionHistory } from '../../../shared/sessions/session-history';
import { SessionList } from '../../../shared/sessions/session-list';
import { splitSessions, type Session, type SessionList as SessionListBody } from '../../../shared/sessions/session';
import { injectConfirm } from '../../../shared/ui/confirm-dialog/confirm';
import { injectFocusReturn } from '../../../shared/ui/focus-return';
import { injectNotify } from '../../../shared/ui/notify';
import { DevicesApi, mySessionsUrl } from '../devices-api';

const LOCAL_NETWORK = 'Local network';

/** /devices: the signed-in user's devices, their history, and the credential changes that sign others out. */
@Component({
  selector: 'app-my-devices',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [MatButtonModule, MatIconModule, PageHeader, LoadStatus, SessionList, SessionHistory, PasswordChange, EmailChange],
  templateUrl: './my-devices.html',
  styleUrl: './my-devices.scss',
})
export class MyDevices {
  private readonly api = inject(DevicesApi);
  private readonly session = inject(ClientSession);
  private readonly confirm = injectConfirm();
  private readonly notify = injectNotify();
  private readonly focusReturn = injectFocusReturn();
  private readonly activeHeading = viewChild.required<ElementRef<HTMLElement>>('activeHeading');

  protected readonly sessions = httpResource<SessionListBody>(mySessionsUrl);
  protected readonly split = computed(() => splitSessions(this.sessions.hasValue() ? this.sessions.value().sessions : []));
  protected readonly others = computed(() => this.split().active.filter((session) => !session.current));
  /** Whether a place from the IP database is shown (its licence asks for a credit where places appear). */
  protected readonly hasPlaces = computed(() =>
    (this.sessions.hasValue() ? this.sessions.value().sessions : []).some((session) => session.location && session.location !== LOCAL_NETWORK),
  );
  protected readonly busy = signal<ReadonlySet<string>>(new Set());
  protected readonly revokingOthers = signal(false);

  // Nothing is marked busy while a dialog is open: a disabled button cannot take focus back when the dialog closes.
  protected async revoke(session: Session): Promise<void> {
    const name = deviceName(session.device);
    const trigger = this.focusReturn.trigger();
    const result = await this.confirm({
      title: 'Sign out this device?',
      message: `${name} (${session.ip}) will be signed out at once and will need to sign in again.`,
      confirmLabel: 'Sign out device',
      destructive: true,
      action: (_note, context) => this.api.revoke(session.id, context),
    });
    if (!result) return;
    if (result.status === 'done') this.notify(`${name} was signed out.`);
    else this.notify.failure(result.error, 'The device was not signed out');
    await this.reloadThenRefocus(trigger, (busy) => this.markBusy(session, busy));
  }

  protected async revokeOthers(): Promise<void> {
    const count = this.others().length;
    const trigger = this.focusReturn.trigger();
    const result = await this.confirm({
      title: 'Sign out all other devices?',
      message: `Every device except this one will be signed out (${count} now). This device stays signed in.`,
      confirmLabel: 'Sign out other devices',
      destructive: true,
      action: (_note, context) => this.api.revokeOthers(context),
    });
    if (!result) return;
    if (result.status === 'done') {
      const revoked = result.value?.revoked ?? 0;
      this.notify(`${revoked} other ${revoked === 1 ? 'device was' : 'devices were'} signed out. This device is still signed in.`);
    } else {
      this.notify.failure(result.error, 'Other devices were not signed out');
    }
    await this.reloadThenRefocus(trigger, (busy) => this.revokingOthers.set(busy));
  }

  protected async reportNotMe(session: Session): Promise<void> {
    const result = await this.confirm({
      title: 'This wasn\u2019t you?',
      message:
        `We will sign out every device on your account, including this one, and record a security report about ` +
        `${deviceName(session.device)} (${session.ip}). Sign in again afterwards and change your password.`,
      confirmLabel: 'Sign out everywhere',
      noteLabel: 'What happened? (optional)',
      destructive: true,
      action: (note, context) => this.api.reportSecurityConcern(note, context),
    });
    if (!result) return;
    if (result.status === 'failed') {
      this.notify.failure(result.error, 'The report was not sent');
      return;
    }
    this.markBusy(session, true);
    await this.session.end({ reason: 'security_concern', navigate: 'always' });
  }

  protected credentialsChanged(): void {
    this.sessions.reload();
  }

  /**
   * Keeps the buttons disabled until the sessions are reloaded, then gives focus back to the button that opened
   * the dialog, or to the "Signed in now" heading when that button went with its row.
   */
  private async reloadThenRefocus(trigger: HTMLElement | null, markBusy: (busy: boolean) => void): Promise<void> {
    markBusy(true);
    try {
      this.sessions.reload();
      await this.focusReturn.loaded(this.sessions);
    } finally {
      markBusy(false);
    }
    this.focusReturn.restore(trigger, () => this.activeHeading().nativeElement);
  }

  private markBusy(session: Session, busy: boolean): void {
    this.busy.update((ids) => {
      const next = new Set(ids);
      if (busy) next.add(session.id);
      else next.delete(session.id);
      return next;
    });
  }
}
