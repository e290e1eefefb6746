import { HttpTestingController } from '@angular/common/http/testing';
import { Component } from '@angular/core';
import { TestBed, type ComponentFixture } from '@angular/core/testing';
import { TestbedHarnessEnvironment } from '@angular/cdk/testing/testbed';
import type { HarnessLoader } from '@angular/cdk/testing';
import { MatButtonHarness } from '@angular/material/button/testing';
import { MatDialogHarness } from '@angular/material/dialog/testing';
import { MatInputHarness } from '@angular/material/input/testing';
import { Router } from '@angular/router';
import { ClientSession } from '../../../core/auth/client-session';
import type { Session } from '../../../shared/sessions/session';
import { nextRequest, problem } from '../../../../testing/http';
import { clearCookies, provideConsoleTesting, session } from '../../../../testing/testing-providers';
import { MyDevices } from './my-devices';

@Component({ template: '' })
class Blank {}

const LIST = '/api/auth/sessions?include=ended';
const here = session({ current: true, device: { browser: 'Chrome 156', os: 'Linux', type: 'desktop' }, ip: '198.51.100.4', location: 'Local network' });
const sameLaptopOlderChrome = session({ device: { browser: 'Chrome 155', os: 'Linux', type: 'desktop' }, ip: '198.51.100.5' });
const phone = session({
  device: { browser: 'Mobile Safari 18', os: 'iOS 18.5', type: 'mobile' },
  ip: '203.0.113.9',
  location: 'Lyon, Auvergne-Rhône-Alpes, France',
  createdAt: '2026-03-01T09:30:00.000Z',
});
const endedPhone = (hoursAgo: number, overrides: Partial<Session> = {}) =>
  session({
    device: { browser: 'Mobile Safari 17', os: 'iOS 17.5', type: 'mobile' },
    endedAt: new Date(Date.now() - hoursAgo * 3_600_000).toISOString(),
    endReason: 'logout',
    ...overrides,
  });

async function render(
  sessions: Session[],
): Promise<{ fixture: ComponentFixture<MyDevices>; loader: HarnessLoader; dialogs: HarnessLoader; http: HttpTestingController; element: HTMLElement }> {
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
    element: fixture.nativeElement as HTMLElement,
  };
}

const texts = (root: ParentNode, selector: string) => [...root.querySelectorAll(selector)].map((node) => node.textContent?.replace(/\s+/g, ' ').trim() ?? '');

describe('MyDevices', () => {
  beforeEach(() => clearCookies());

  it('should group sessions by device (browser and OS family), this device first, each sign-in with its own line', async () => {
    const { element } = await render([phone, sameLaptopOlderChrome, here]);
    const active = element.querySelector('[data-testid=active-devices]')!;
    expect(texts(active, '[data-testid=device-group-name]')).toEqual(['Chrome on Linux', 'Mobile Safari on iOS']);
    const laptop = active.querySelectorAll('[data-testid=device-group]')[0];
    expect(texts(laptop, '[data-testid=device-name]')).toEqual(['Chrome 155 on Linux', 'Chrome 156 on Linux']);
    expect(texts(laptop, '[data-testid=this-device]')).toEqual(['This device']);
    expect(laptop.textContent).toContain('Desktop · 2 sessions');
  });

  it('should say when each session signed in, where from, and keep the raw user agent in a closed disclosure', async () => {
    const { element } = await render([here, phone]);
    const rows = [...element.querySelectorAll('[data-testid=session-row]')];
    expect(rows).toHaveLength(2);
    for (const row of rows) expect(row.querySelector('[data-testid=signed-in]')?.textContent).toMatch(/^Signed in \w{3} \d{1,2}, \d{4}/);
    const phoneRow = rows.find((row) => row.textContent?.includes('Mobile Safari'))!;
    expect(phoneRow.querySelector('[data-testid=signed-in]')?.textContent).toContain('2026');
    expect(phoneRow.textContent).toContain('203.0.113.9');
    expect(phoneRow.querySelector('[data-testid=place]')?.textContent).toBe('Lyon, Auvergne-Rhône-Alpes, France');
    expect(phoneRow.textContent).toContain('Last active 3 minutes ago');
    const details = phoneRow.querySelector('details')!;
    expect(details.open).toBe(false);
    expect(details.querySelector('summary')?.textContent).toBe('Details');
    expect(details.querySelector('[data-testid=user-agent]')?.textContent).toBe(phone.userAgent);
    // A place from the IP database carries its licence's credit.
    expect(element.textContent).toContain('IP Geolocation by DB-IP');
  });

  it('should not credit the IP database when every place is the local network', async () => {
    const { element } = await render([here]);
    expect(element.textContent).not.toContain('DB-IP');
  });

  it('should collapse ended sessions by device, with how many, the latest reason, and who ended them inside', async () => {
    const { element } = await render([
      here,
      endedPhone(2),
      endedPhone(5),
      endedPhone(30, { endReason: 'revoked_by_admin', endedBy: { id: 'a1', email: 'admin@example.com' } }),
    ]);
    const groups = [...element.querySelectorAll('[data-testid=ended-group]')] as HTMLDetailsElement[];
    expect(groups).toHaveLength(1);
    expect(groups[0].open).toBe(false);
    expect(groups[0].querySelector('summary')?.textContent?.replace(/\s+/g, ' ')).toMatch(
      /Mobile Safari on iOS 3 sign-ins ended · latest 2 hours ago: Signed out/,
    );
    expect(texts(groups[0], '[data-testid=end-reason]')).toEqual(['Signed out', 'Signed out', 'Revoked by an administrator by admin@example.com']);
    expect(texts(groups[0], '[data-testid=ended-session]')[0]).toMatch(/Signed in/);
  });

  it('should render device metadata as text, never as HTML (DEV-05)', async () => {
    const hostile = '<img src=x onerror=alert(1)><b>bold</b>';
    const { element } = await render([here, session({ userAgent: hostile, device: { browser: '<i>x</i>', os: '', type: 'desktop' } })]);
    expect(element.querySelector('img, b, i')).toBeNull();
    expect(element.textContent).toContain(hostile);
    expect(element.textContent).toContain('<i>x</i>');
  });

  it('should sign out one device behind a confirm dialog in the warning colour, then refresh the list', async () => {
    const { loader, dialogs, http, element } = await render([here, phone]);
    const revoke = await loader.getHarness(MatButtonHarness.with({ selector: '[data-testid=revoke]' }));
    expect(await (await revoke.host()).hasClass('danger')).toBe(true);
    await revoke.click();
    const dialog = await dialogs.getHarness(MatDialogHarness);
    expect(await dialog.getTitleText()).toBe('Sign out this device?');
    expect(await dialog.getContentText()).toContain('Mobile Safari 18 on iOS 18.5 (203.0.113.9)');
    expect(await (await (await dialog.getHarness(MatButtonHarness.with({ text: 'Sign out device' }))).host()).hasClass('danger')).toBe(true);
    const confirm = (await dialog.getHarness(MatButtonHarness.with({ text: 'Sign out device' }))).click();
    (await nextRequest(http, { method: 'DELETE', url: `/api/auth/sessions/${phone.id}` })).flush(null, { status: 204, statusText: 'No Content' });
    (await nextRequest(http, { method: 'GET', url: LIST })).flush({ sessions: [here] });
    await confirm;
    await vi.waitFor(() => expect(element.querySelectorAll('[data-testid=session-row]')).toHaveLength(1));
    expect(document.body.textContent).toContain('Mobile Safari 18 on iOS 18.5 was signed out.');
  });

  it('should ask for the password in the same dialog when the session is not fresh, then finish the action', async () => {
    const { loader, dialogs, http } = await render([here, phone]);
    await (await loader.getHarness(MatButtonHarness.with({ selector: '[data-testid=revoke]' }))).click();
    const dialog = await dialogs.getHarness(MatDialogHarness);
    const confirm = (await dialog.getHarness(MatButtonHarness.with({ text: 'Sign out device' }))).click();
    (await nextRequest(http, { method: 'DELETE', url: `/api/auth/sessions/${phone.id}` })).flush(problem(403, { code: 'reauth_required' }), {
      status: 403,
      statusText: 'Forbidden',
    });
    await confirm;
    // Still one dialog: the same one now asks for the password.
    expect(await dialogs.getAllHarnesses(MatDialogHarness)).toHaveLength(1);
    expect(await dialog.getContentText()).toContain('this action needs your password again');
    await (await dialog.getHarness(MatInputHarness.with({ selector: '[type=password]' }))).setValue('correct horse battery staple');
    const retry = (await dialog.getHarness(MatButtonHarness.with({ text: 'Sign out device' }))).click();
    const reauth = await nextRequest(http, { method: 'POST', url: '/api/auth/reauth' });
    expect(reauth.request.body).toEqual({ password: 'correct horse battery staple' });
    reauth.flush({ session: {} });
    (await nextRequest(http, { method: 'DELETE', url: `/api/auth/sessions/${phone.id}` })).flush(null, { status: 204, statusText: 'No Content' });
    (await nextRequest(http, { method: 'GET', url: LIST })).flush({ sessions: [here] });
    await retry;
    expect(await dialogs.getAllHarnesses(MatDialogHarness)).toHaveLength(0);
    expect(document.body.textContent).toContain('was signed out.');
  });

  it('should do nothing when the confirm dialog is cancelled', async () => {
    const { loader, dialogs, http } = await render([here, phone]);
    await (await loader.getHarness(MatButtonHarness.with({ selector: '[data-testid=revoke]' }))).click();
    await (await (await dialogs.getHarness(MatDialogHarness)).getHarness(MatButtonHarness.with({ text: 'Cancel' }))).click();
    http.expectNone({ method: 'DELETE' });
  });

  it('should sign out all other devices, say how many, and that this one stays signed in', async () => {
    const { loader, dialogs, http, fixture } = await render([here, phone, session()]);
    await (await loader.getHarness(MatButtonHarness.with({ text: /Sign out all other devices/ }))).click();
    const dialog = await dialogs.getHarness(MatDialogHarness);
    expect(await dialog.getContentText()).toContain('(2 now)');
    const confirm = (await dialog.getHarness(MatButtonHarness.with({ text: 'Sign out other devices' }))).click();
    (await nextRequest(http, { method: 'POST', url: '/api/auth/sessions/revoke-others' })).flush({ revoked: 2 });
    (await nextRequest(http, { method: 'GET', url: LIST })).flush({ sessions: [here] });
    await confirm;
    await fixture.whenStable();
    expect(document.body.textContent).toContain('2 other devices were signed out. This device is still signed in.');
    expect(document.body.textContent).not.toContain('all your devices');
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

  it('should not say that no session ended when the list did not load', async () => {
    TestBed.configureTestingModule({ providers: [provideConsoleTesting([{ path: 'login', component: Blank }])] });
    TestBed.inject(ClientSession).signedIn({ id: 'u1', email: 'ada@example.com', roles: [] });
    const http = TestBed.inject(HttpTestingController);
    const fixture = TestBed.createComponent(MyDevices);
    (await nextRequest(http, { method: 'GET', url: LIST })).flush(problem(503), { status: 503, statusText: 'Service Unavailable' });
    await fixture.whenStable();
    const element = fixture.nativeElement as HTMLElement;
    expect(element.querySelector('[role=alert]')?.textContent).toContain('Try again');
    expect(element.textContent).not.toContain('No sessions ended');
  });
});
