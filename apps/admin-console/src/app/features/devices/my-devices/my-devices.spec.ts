import { HttpTestingController } from '@angular/common/http/testing';
import { Component } from '@angular/core';
import { TestBed, type ComponentFixture } from '@angular/core/testing';
import { TestbedHarnessEnvironment } from '@angular/cdk/testing/testbed';
import type { HarnessLoader } from '@angular/cdk/testing';
import { MatButtonHarness } from '@angular/material/button/testing';
import { MatDialogHarness } from '@angular/material/dialog/testing';
import { MatInputHarness } from '@angular/material/input/testing';
import { MatTableHarness } from '@angular/material/table/testing';
import { Router } from '@angular/router';
import { ClientSession } from '../../../core/auth/client-session';
import type { Session } from '../../../shared/sessions/session';
import { nextRequest } from '../../../../testing/http';
import { clearCookies, provideConsoleTesting, session } from '../../../../testing/testing-providers';
import { MyDevices } from './my-devices';

@Component({ template: '' })
class Blank {}

const LIST = '/api/auth/sessions?include=ended';
const here = session({ current: true, device: { browser: 'Chrome 156', os: 'Linux', type: 'desktop' }, ip: '198.51.100.4' });
const phone = session({
  device: { browser: 'Mobile Safari 18', os: 'iOS 18.5', type: 'mobile' },
  ip: '203.0.113.9',
  location: 'Lyon, France',
});
const ended = session({
  endedAt: new Date(Date.now() - 86_400_000).toISOString(),
  endReason: 'revoked_by_admin',
  endedBy: { id: 'a1', email: 'admin@example.com' },
});

async function render(sessions: Session[]): Promise<{
  fixture: ComponentFixture<MyDevices>;
  loader: HarnessLoader;
  dialogs: HarnessLoader;
  http: HttpTestingController;
}> {
  TestBed.configureTestingModule({ providers: [provideConsoleTesting([{ path: 'login', component: Blank }])] });
  TestBed.inject(ClientSession).signedIn({ id: 'u1', email: 'ada@example.com', roles: [] });
  const http = TestBed.inject(HttpTestingController);
  const fixture = TestBed.createComponent(MyDevices);
  (await nextRequest(http, { method: 'GET', url: LIST })).flush({ sessions });
  await fixture.whenStable();
  return {
    fixture,
    loader: TestbedHarnessEnvironment.loader(fixture),
    dialogs: TestbedHarnessEnvironment.documentRootLoader(fixture),
    http,
  };
}

async function activeRows(loader: HarnessLoader) {
  const table = await loader.getHarness(MatTableHarness.with({ selector: '[data-testid=active-devices]' }));
  return table.getCellTextByColumnName();
}

describe('MyDevices', () => {
  beforeEach(() => clearCookies());

  it('should show each active device with browser, OS, type, IP, place, relative activity and the This device marker', async () => {
    const { loader } = await render([here, phone, ended]);
    const columns = await activeRows(loader);
    expect(columns['device']?.text).toEqual([
      expect.stringMatching(/Chrome 156 on Linux\s*This device/),
      expect.stringMatching(/Mobile Safari 18 on iOS 18\.5/),
    ]);
    expect(columns['device']?.text[1]).toContain('Phone');
    expect(columns['device']?.text[1]).not.toContain('This device');
    expect(columns['ip']?.text).toEqual(['198.51.100.4', expect.stringMatching(/203\.0\.113\.9\s*Lyon, France/)]);
    expect(columns['lastActive']?.text).toEqual(['Last active 3 minutes ago', 'Last active 3 minutes ago']);
  });

  it('should list ended sessions with their reason and who ended them', async () => {
    const { loader } = await render([here, ended]);
    const history = await loader.getHarness(MatTableHarness.with({ selector: '[aria-label="Ended sessions"]' }));
    const columns = await history.getCellTextByColumnName();
    expect(columns['reason']?.text).toEqual([expect.stringMatching(/Revoked by an administrator\s*by admin@example\.com/)]);
    expect(columns['ended']?.text).toEqual(['1 day ago']);
  });

  it('should render device metadata as text, never as HTML (DEV-05)', async () => {
    const hostile = '<img src=x onerror=alert(1)><b>bold</b>';
    const { fixture } = await render([here, session({ userAgent: hostile, device: { browser: '<i>x</i>', os: '', type: 'desktop' } })]);
    const element = fixture.nativeElement as HTMLElement;
    expect(element.querySelector('img, b, i')).toBeNull();
    expect(element.textContent).toContain(hostile);
    expect(element.textContent).toContain('<i>x</i>');
  });

  it('should revoke one device behind a confirm dialog, then refresh the list', async () => {
    const { loader, dialogs, http } = await render([here, phone]);
    await (await loader.getHarness(MatButtonHarness.with({ selector: '[data-testid=revoke]' }))).click();
    const dialog = await dialogs.getHarness(MatDialogHarness);
    expect(await dialog.getTitleText()).toBe('Sign out this device?');
    expect(await dialog.getContentText()).toContain('Mobile Safari 18 on iOS 18.5 (203.0.113.9)');
    const confirm = (await dialog.getHarness(MatButtonHarness.with({ text: 'Sign out device' }))).click();
    (await nextRequest(http, { method: 'DELETE', url: `/api/auth/sessions/${phone.id}` })).flush(null, { status: 204, statusText: 'No Content' });
    (await nextRequest(http, { method: 'GET', url: LIST })).flush({ sessions: [here] });
    await confirm;
    expect((await activeRows(loader))['device']?.text).toHaveLength(1);
  });

  it('should do nothing when the confirm dialog is cancelled', async () => {
    const { loader, dialogs, http } = await render([here, phone]);
    await (await loader.getHarness(MatButtonHarness.with({ selector: '[data-testid=revoke]' }))).click();
    await (await (await dialogs.getHarness(MatDialogHarness)).getHarness(MatButtonHarness.with({ text: 'Cancel' }))).click();
    http.expectNone({ method: 'DELETE' });
  });

  it('should sign out all other devices and say how many', async () => {
    const { loader, dialogs, http, fixture } = await render([here, phone, session()]);
    await (await loader.getHarness(MatButtonHarness.with({ text: /Sign out all other devices/ }))).click();
    const dialog = await dialogs.getHarness(MatDialogHarness);
    expect(await dialog.getContentText()).toContain('(2 now)');
    const confirm = (await dialog.getHarness(MatButtonHarness.with({ text: 'Sign out other devices' }))).click();
    (await nextRequest(http, { method: 'POST', url: '/api/auth/sessions/revoke-others' })).flush({ revoked: 2 });
    (await nextRequest(http, { method: 'GET', url: LIST })).flush({ sessions: [here] });
    await confirm;
    await fixture.whenStable();
    expect(document.body.textContent).toContain('2 other devices were signed out.');
  });

  it('should disable Sign out all other devices when there are none', async () => {
    const { loader } = await render([here]);
    expect(await (await loader.getHarness(MatButtonHarness.with({ text: /Sign out all other devices/ }))).isDisabled()).toBe(true);
  });

  it('should send "This wasn\'t me" as a security report with the note, then end this session too', async () => {
    const { loader, dialogs, http } = await render([here, phone]);
    await (await loader.getHarness(MatButtonHarness.with({ selector: '[data-testid=not-me]' }))).click();
    const dialog = await dialogs.getHarness(MatDialogHarness);
    expect(await dialog.getContentText()).toContain('including this one');
    await (await dialog.getHarness(MatInputHarness)).setValue('Not my phone');
    const confirm = (await dialog.getHarness(MatButtonHarness.with({ text: 'Sign out everywhere' }))).click();
    const report = await nextRequest(http, { method: 'POST', url: '/api/auth/security-report' });
    expect(report.request.body).toEqual({ note: 'Not my phone' });
    report.flush({ revoked: 2 });
    await confirm;
    await vi.waitFor(() => expect(TestBed.inject(Router).url).toBe('/login?reason=security_concern'));
    expect(TestBed.inject(ClientSession).user()).toBeNull();
  });
});
