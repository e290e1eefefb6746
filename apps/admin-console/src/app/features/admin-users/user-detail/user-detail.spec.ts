import { HttpTestingController } from '@angular/common/http/testing';
import { TestBed } from '@angular/core/testing';
import { TestbedHarnessEnvironment } from '@angular/cdk/testing/testbed';
import type { HarnessLoader } from '@angular/cdk/testing';
import { MatButtonHarness } from '@angular/material/button/testing';
import { MatCheckboxHarness } from '@angular/material/checkbox/testing';
import { MatDialogHarness } from '@angular/material/dialog/testing';
import { MatInputHarness } from '@angular/material/input/testing';
import { RouterTestingHarness } from '@angular/router/testing';
import { nextRequest, problem } from '../../../../testing/http';
import { ClientSession } from '../../../core/auth/client-session';
import { provideConsoleTesting, session } from '../../../../testing/testing-providers';
import { UserDetail } from './user-detail';

const USER_ID = '6f9f3b9e-2c54-4a8e-9d59-1b1f7c4c9a11';
const USER = `/api/admin/users/${USER_ID}`;
const LIST = `${USER}/sessions?include=ended`;
const laptop = session({ device: { browser: 'Firefox 140', os: 'Windows 10', type: 'desktop' }, ip: '203.0.113.7' });
const phone = session({ device: { browser: 'Chrome 156', os: 'Android 16', type: 'mobile' }, ip: '203.0.113.8' });
const tablet = session({ device: { browser: 'Safari 18', os: 'iPadOS 18', type: 'tablet' }, ip: '203.0.113.9' });
const ADA = { id: USER_ID, email: 'ada@example.com', roles: ['support'], activeSessions: 3, lastActiveAt: '2026-03-01T09:30:00.000Z' };

async function checkbox(loader: HarnessLoader, label: RegExp): Promise<MatCheckboxHarness> {
  for (const box of await loader.getAllHarnesses(MatCheckboxHarness)) {
    if (label.test((await box.getAriaLabel()) ?? (await box.getLabelText()))) return box;
  }
  throw new Error(`no checkbox labelled ${label}`);
}

/** Renders the page as `signedInAs` (another admin, unless the admin's own account is the one shown). */
async function render(user: object | null = ADA, sessions = [laptop, phone, tablet], signedInAs = { id: 'admin-1', email: 'grace@example.com' }) {
  TestBed.configureTestingModule({ providers: [provideConsoleTesting([{ path: 'admin/users/:id', component: UserDetail }])] });
  TestBed.inject(ClientSession).signedIn({ ...signedInAs, roles: ['admin'] });
  const http = TestBed.inject(HttpTestingController);
  const harness = await RouterTestingHarness.create();
  const navigation = harness.navigateByUrl(`/admin/users/${USER_ID}`);
  const userRequest = await nextRequest(http, { url: USER });
  if (user) userRequest.flush(user);
  else userRequest.flush(problem(404, { message: 'No such user.' }), { status: 404, statusText: 'Not Found' });
  (await nextRequest(http, { url: LIST })).flush({ sessions });
  await navigation;
  await harness.fixture.whenStable();
  return {
    harness,
    http,
    element: harness.routeNativeElement!,
    loader: TestbedHarnessEnvironment.loader(harness.fixture),
    dialogs: TestbedHarnessEnvironment.documentRootLoader(harness.fixture),
  };
}

/** Types the note and clicks the dialog's button; resolves once the click has been handled. */
async function confirmWithNote(dialogs: HarnessLoader, button: string, note: string): Promise<void> {
  const dialog = await dialogs.getHarness(MatDialogHarness);
  await (await dialog.getHarness(MatInputHarness.with({ selector: 'textarea' }))).setValue(note);
  const confirm = await dialog.getHarness(MatButtonHarness.with({ text: button }));
  expect(await (await confirm.host()).hasClass('danger')).toBe(true);
  return confirm.click();
}

describe('UserDetail', () => {
  it('should show the email, roles and counts from GET /api/admin/users/:id on a deep link, and link to their audit events', async () => {
    const { element } = await render();
    expect(element.querySelector('h1')?.textContent).toBe('ada@example.com');
    expect(element.textContent).toContain('Roles: support · 3 active sessions · last active Mar 1, 2026');
    const audit = element.querySelector<HTMLAnchorElement>('[data-testid=user-audit-link]')!;
    expect(audit.getAttribute('href')).toBe('/admin/audit?email=ada@example.com');
  });

  it('should say when the user does not exist', async () => {
    const { element } = await render(null);
    expect(element.querySelector('h1')?.textContent).toBe('Unknown user');
    expect(element.textContent).toContain('No such user.');
  });

  it("should list the user's sessions grouped by device, each with a checkbox", async () => {
    const { element, loader } = await render();
    expect([...element.querySelectorAll('[data-testid=device-group-name]')].map((node) => node.textContent)).toEqual([
      'Firefox on Windows',
      'Chrome on Android',
      'Safari on iPadOS',
    ]);
    expect(await (await checkbox(loader, /^Select Firefox/)).getAriaLabel()).toBe('Select Firefox 140 on Windows 10 (203.0.113.7)');
  });

  it('should revoke the selected sessions with the note typed in the dialog, then refresh', async () => {
    const { loader, dialogs, http } = await render();
    const revokeSelected = await loader.getHarness(MatButtonHarness.with({ selector: '[data-testid=revoke-selected]' }));
    expect(await revokeSelected.isDisabled()).toBe(true);
    await (await checkbox(loader, /^Select Firefox/)).check();
    await (await checkbox(loader, /^Select Safari/)).check();
    expect(await revokeSelected.getText()).toBe('Revoke selected (2)');
    await revokeSelected.click();
    expect(await (await dialogs.getHarness(MatDialogHarness)).getTitleText()).toBe('Revoke 2 sessions?');
    await confirmWithNote(dialogs, 'Revoke selected', 'Stolen bag');
    const revoke = await nextRequest(http, { method: 'POST', url: `${USER}/sessions/revoke` });
    expect(revoke.request.body).toEqual({ sessionIds: [laptop.id, tablet.id], note: 'Stolen bag' });
    revoke.flush({ revoked: 2 });
    (await nextRequest(http, { method: 'GET', url: LIST })).flush({ sessions: [phone] });
    (await nextRequest(http, { method: 'GET', url: USER })).flush({ ...ADA, activeSessions: 1 });
    expect(await revokeSelected.getText()).toBe('Revoke selected (0)');
    expect(document.body.textContent).toContain('2 sessions were revoked.');
  });

  it('should select all with the Select all checkbox', async () => {
    const { loader } = await render();
    await (await checkbox(loader, /^Select all$/)).check();
    expect(await (await loader.getHarness(MatButtonHarness.with({ selector: '[data-testid=revoke-selected]' }))).getText()).toBe('Revoke selected (3)');
  });

  it('should revoke one session from its row, with a note', async () => {
    const { loader, dialogs, http } = await render();
    await (await loader.getHarness(MatButtonHarness.with({ selector: '[aria-label="Revoke Chrome 156 on Android 16 (203.0.113.8)"]' }))).click();
    await confirmWithNote(dialogs, 'Revoke session', 'Phone lost');
    const request = await nextRequest(http, { method: 'DELETE', url: `${USER}/sessions/${phone.id}` });
    expect(request.request.body).toEqual({ note: 'Phone lost' });
    request.flush(null, { status: 204, statusText: 'No Content' });
    (await nextRequest(http, { method: 'GET', url: LIST })).flush({ sessions: [laptop, tablet] });
    (await nextRequest(http, { method: 'GET', url: USER })).flush(ADA);
    expect(document.body.textContent).toContain('Chrome 156 on Android 16 was revoked.');
  });

  it('should revoke all sessions of the user with a note, from an outlined button in the warning colour', async () => {
    const { loader, dialogs, http, harness } = await render();
    const revokeAll = await loader.getHarness(MatButtonHarness.with({ selector: '[data-testid=revoke-all]' }));
    expect(await revokeAll.getAppearance()).toBe('outlined');
    expect(await (await revokeAll.host()).hasClass('danger')).toBe(true);
    await revokeAll.click();
    await confirmWithNote(dialogs, 'Revoke all', 'Offboarding');
    const request = await nextRequest(http, { method: 'POST', url: `${USER}/logout-everywhere` });
    expect(request.request.body).toEqual({ note: 'Offboarding' });
    request.flush({ revoked: 3 });
    (await nextRequest(http, { method: 'GET', url: LIST })).flush({ sessions: [] });
    (await nextRequest(http, { method: 'GET', url: USER })).flush({ ...ADA, activeSessions: 0 });
    await harness.fixture.whenStable();
    expect(document.body.textContent).toContain('No active sessions.');
  });

  it('should warn an admin revoking the session they are using that it signs them out', async () => {
    const { loader, dialogs } = await render(ADA, [laptop, { ...phone, current: true }, tablet]);
    await (await loader.getHarness(MatButtonHarness.with({ selector: '[aria-label="Revoke Chrome 156 on Android 16 (203.0.113.8)"]' }))).click();
    const dialog = await dialogs.getHarness(MatDialogHarness);
    expect(await dialog.getTitleText()).toBe('Revoke the session you are using?');
    expect(await dialog.getContentText()).toContain('is this browser: you are signed out of the console at once.');
    expect(await (await dialog.getHarness(MatButtonHarness.with({ text: 'Revoke and sign out' }))).isDisabled()).toBe(false);
  });

  it('should warn an admin revoking every session of their own account, or a selection with their own, that it signs them out', async () => {
    const { loader, dialogs } = await render(ADA, [laptop, { ...phone, current: true }, tablet], { id: USER_ID, email: ADA.email });
    await (await loader.getHarness(MatButtonHarness.with({ selector: '[data-testid=revoke-all]' }))).click();
    let dialog = await dialogs.getHarness(MatDialogHarness);
    expect(await dialog.getTitleText()).toBe('Revoke every one of your sessions?');
    expect(await dialog.getContentText()).toContain('you are signed out of the console at once.');
    await (await dialog.getHarness(MatButtonHarness.with({ text: 'Cancel' }))).click();

    await (await checkbox(loader, /^Select Chrome/)).check();
    await (await loader.getHarness(MatButtonHarness.with({ selector: '[data-testid=revoke-selected]' }))).click();
    dialog = await dialogs.getHarness(MatDialogHarness);
    expect(await dialog.getContentText()).toContain('The selected device is signed out at once. This includes the session you are using now');
  });

  it('should keep Revoke enabled while its dialog is open, and focus the sessions heading once its row is gone', async () => {
    const { loader, dialogs, http, element, harness } = await render();
    const button = await loader.getHarness(MatButtonHarness.with({ selector: '[aria-label="Revoke Chrome 156 on Android 16 (203.0.113.8)"]' }));
    await (await button.host()).focus();
    await button.click();
    // A disabled button could not take focus back when the dialog closes.
    expect(await button.isDisabled()).toBe(false);
    await confirmWithNote(dialogs, 'Revoke session', 'Phone lost');
    (await nextRequest(http, { method: 'DELETE', url: `${USER}/sessions/${phone.id}` })).flush(null, { status: 204, statusText: 'No Content' });
    (await nextRequest(http, { method: 'GET', url: LIST })).flush({ sessions: [laptop, tablet] });
    (await nextRequest(http, { method: 'GET', url: USER })).flush(ADA);
    await harness.fixture.whenStable();
    expect(document.activeElement).toBe(element.querySelector('#active-heading'));
  });

  it('should give focus back to Revoke all when its dialog is cancelled', async () => {
    const { loader, dialogs, harness } = await render();
    const revokeAll = await loader.getHarness(MatButtonHarness.with({ selector: '[data-testid=revoke-all]' }));
    await (await revokeAll.host()).focus();
    await revokeAll.click();
    expect(await revokeAll.isDisabled()).toBe(false);
    await (await (await dialogs.getHarness(MatDialogHarness)).getHarness(MatButtonHarness.with({ text: 'Cancel' }))).click();
    await harness.fixture.whenStable();
    expect(document.activeElement).toBe(harness.routeNativeElement!.querySelector('[data-testid=revoke-all]'));
  });

  it('should say once that an unknown user does not exist, with no session lists', async () => {
    TestBed.configureTestingModule({ providers: [provideConsoleTesting([{ path: 'admin/users/:id', component: UserDetail }])] });
    const http = TestBed.inject(HttpTestingController);
    const harness = await RouterTestingHarness.create();
    const navigation = harness.navigateByUrl(`/admin/users/${USER_ID}`);
    const notFound = () => problem(404, { message: 'No such user.' });
    (await nextRequest(http, { url: USER })).flush(notFound(), { status: 404, statusText: 'Not Found' });
    (await nextRequest(http, { url: LIST })).flush(notFound(), { status: 404, statusText: 'Not Found' });
    await navigation;
    await harness.fixture.whenStable();
    const page = harness.routeNativeElement!;
    expect(page.textContent?.match(/No such user\./g)).toHaveLength(1);
    expect(page.textContent).not.toContain('Active sessions');
    expect(page.textContent).not.toContain('Recently ended');
  });
});
