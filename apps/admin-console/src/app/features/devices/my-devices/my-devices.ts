import { httpResource } from '@angular/common/http';
import { ChangeDetectionStrategy, Component, computed, inject, signal } from '@angular/core';
import { MatButtonModule } from '@angular/material/button';
import { MatIconModule } from '@angular/material/icon';
import { MatProgressBarModule } from '@angular/material/progress-bar';
import { MatTableModule } from '@angular/material/table';
import { MatTooltipModule } from '@angular/material/tooltip';
import { firstValueFrom } from 'rxjs';
import { ClientSession } from '../../../core/auth/client-session';
import { PageHeader } from '../../../core/layout/page-header';
import { apiProblemOf, describeProblem } from '../../../core/http/api-error';
import { EmailChange } from '../../account/email-change/email-change';
import { PasswordChange } from '../../account/password-change/password-change';
import { DeviceSummary } from '../../../shared/sessions/device-summary';
import { deviceName } from '../../../shared/sessions/device-icons';
import { SessionHistory } from '../../../shared/sessions/session-history';
import { splitSessions, type Session, type SessionList } from '../../../shared/sessions/session';
import { TimeAgo } from '../../../shared/time/time-ago';
import { injectConfirm } from '../../../shared/ui/confirm-dialog/confirm';
import { injectNotify } from '../../../shared/ui/notify';
import { DevicesApi, MY_SESSIONS_URL } from '../devices-api';

/** /devices: the signed-in user's devices, their history, and the credential changes that sign others out. */
@Component({
  selector: 'app-my-devices',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [
    MatButtonModule,
    MatIconModule,
    MatProgressBarModule,
    MatTableModule,
    MatTooltipModule,
    PageHeader,
    DeviceSummary,
    SessionHistory,
    TimeAgo,
    PasswordChange,
    EmailChange,
  ],
  templateUrl: './my-devices.html',
  styleUrl: './my-devices.scss',
})
export class MyDevices {
  private readonly api = inject(DevicesApi);
  private readonly session = inject(ClientSession);
  private readonly confirm = injectConfirm();
  private readonly notify = injectNotify();

  protected readonly sessions = httpResource<SessionList>(() => MY_SESSIONS_URL);
  protected readonly split = computed(() => splitSessions(this.sessions.hasValue() ? this.sessions.value().sessions : []));
  protected readonly others = computed(() => this.split().active.filter((session) => !session.current));
  protected readonly loadError = computed(() => {
    const error = this.sessions.error();
    return error ? describeProblem(apiProblemOf(error)) : null;
  });
  protected readonly busy = signal<ReadonlySet<string>>(new Set());
  protected readonly revokingOthers = signal(false);
  protected readonly columns = ['device', 'ip', 'lastActive', 'actions'];

  protected name(session: Session): string {
    return deviceName(session.device);
  }

  protected isBusy(session: Session): boolean {
    return this.busy().has(session.id);
  }

  protected async revoke(session: Session): Promise<void> {
    const answer = await this.confirm({
      title: 'Sign out this device?',
      message: `${this.name(session)} (${session.ip}) will be signed out at once and will need to sign in again.`,
      confirmLabel: 'Sign out device',
    });
    if (!answer) return;
    await this.withBusy(session, async () => {
      try {
        await firstValueFrom(this.api.revoke(session.id));
        this.notify(`${this.name(session)} was signed out.`);
      } catch (error) {
        this.notify.failure(error, 'The device was not signed out');
      }
      this.sessions.reload();
    });
  }

  protected async revokeOthers(): Promise<void> {
    const count = this.others().length;
    const answer = await this.confirm({
      title: 'Sign out all other devices?',
      message: `Every device except this one will be signed out (${count} now).`,
      confirmLabel: 'Sign out other devices',
    });
    if (!answer) return;
    this.revokingOthers.set(true);
    try {
      const { revoked } = await firstValueFrom(this.api.revokeOthers());
      this.notify(`${revoked} other ${revoked === 1 ? 'device was' : 'devices were'} signed out.`);
    } catch (error) {
      this.notify.failure(error, 'Other devices were not signed out');
    } finally {
      this.revokingOthers.set(false);
    }
    this.sessions.reload();
  }

  protected async reportNotMe(session: Session): Promise<void> {
    const answer = await this.confirm({
      title: 'This wasn\u2019t you?',
      message:
        `We will sign out every device on your account, including this one, and record a security report about ` +
        `${this.name(session)} (${session.ip}). Sign in again afterwards and change your password.`,
      confirmLabel: 'Sign out everywhere',
      noteLabel: 'What happened? (optional)',
    });
    if (!answer) return;
    await this.withBusy(session, async () => {
      try {
        await firstValueFrom(this.api.reportSecurityConcern(answer.note));
        await this.session.end({ reason: 'security_concern', navigate: 'always' });
      } catch (error) {
        this.notify.failure(error, 'The report was not sent');
      }
    });
  }

  protected credentialsChanged(): void {
    this.sessions.reload();
  }

  private async withBusy(session: Session, work: () => Promise<void>): Promise<void> {
    this.busy.update((ids) => new Set(ids).add(session.id));
    try {
      await work();
    } finally {
      this.busy.update((ids) => {
        const next = new Set(ids);
        next.delete(session.id);
        return next;
      });
    }
  }
}
