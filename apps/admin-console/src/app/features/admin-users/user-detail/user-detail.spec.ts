import { HttpTestingController } from '@angular/common/http/testing';
import { TestBed } from '@angular/core/testing';
import { TestbedHarnessEnvironment } from '@angular/cdk/testing/testbed';
import { MatButtonHarness } from '@angular/material/button/testing';
import { MatCheckboxHarness } from '@angular/material/checkbox/testing';
import { MatDialogHarness } from '@angular/material/dialog/testing';
import { MatInputHarness } from '@angular/material/input/testing';
import { MatTableHarness } from '@angular/material/table/testing';
import { RouterTestingHarness } from '@angular/router/testing';
import { nextRequest } from '../../../../testing/http';
import { provideConsoleTesting, session } from '../../../../testing/testing-providers';
import { UserDetail } from './user-detail';

const USER_ID = '6f9f3b9e-2c54-4a8e-9d59-1b1f7c4c9a11';
const LIST = `/api/admin/users/${USER_ID}/sessions?include=ended`;
const laptop = session({ device: { browser: 'Firefox 140', os: 'Windows 10', type: 'desktop' }, ip: '203.0.113.7' });
const phone = session({ device: { browser: 'Chrome 156', os: 'Android 16', type: 'mobile' }, ip: '203.0.113.8' });
const tablet = session({ device: { browser: 'Safari 18', os: 'iPadOS 18', type: 'tablet' }, ip: '203.0.113.9' });

async function checkbox(loader: import('@angular/cdk/testing').HarnessLoader, label: RegExp): Promise<MatCheckboxHarness> {
  for (const box of await loader.getAllHarnesses(MatCheckboxHarness)) {
    if (label.test((await box.getAriaLabel()) ?? '')) return box;
  }
  throw new Error(`no checkbox labelled ${label}`);
}

async function render() {
  TestBed.configureTestingModule({ providers: [provideConsoleTesting([{ path: 'admin/users/:id', component: UserDetail }])] });
  const http = TestBed.inject(HttpTestingController);
  const harness = await RouterTestingHarness.create();
  const navigation = harness.navigateByUrl(`/admin/users/${USER_ID}`);
  (await nextRequest(http, { url: LIST })).flush({ sessions: [laptop, phone, tablet] });
  await navigation;
  return {
    harness,
    http,
    loader: TestbedHarnessEnvironment.loader(harness.fixture),
    dialogs: TestbedHarnessEnvironment.documentRootLoader(harness.fixture),
  };
}

describe('UserDetail', () => {
  it("should list the user's active sessions with a checkbox each", async () => {
    const { loader } = await render();
    const table = await loader.getHarness(MatTableHarness.with({ selector: '[data-testid=user-sessions]' }));
    expect((await table.getCellTextByColumnName())['device']?.text).toEqual([
      expect.stringContaining('Firefox 140 on Windows 10'),
      expect.stringContaining('Chrome 156 on Android 16'),
      expect.stringContaining('Safari 18 on iPadOS 18'),
    ]);
    const boxes = await loader.getAllHarnesses(MatCheckboxHarness);
    expect(await Promise.all(boxes.map((box) => box.getLabelText()))).toHaveLength(4);
    expect(await boxes[1]!.getAriaLabel()).toBe('Select Firefox 140 on Windows 10 (203.0.113.7)');
  });

  it('should revoke the selected sessions with the note, then refresh', async () => {
    const { loader, dialogs, http } = await render();
    const revokeSelected = await loader.getHarness(MatButtonHarness.with({ selector: '[data-testid=revoke-selected]' }));
    expect(await revokeSelected.isDisabled()).toBe(true);
    await (await checkbox(loader, /^Select Firefox/)).check();
    await (await checkbox(loader, /^Select Safari/)).check();
    await (await loader.getHarness(MatInputHarness.with({ selector: '[data-testid=revoke-note]' }))).setValue('Stolen bag');
    expect(await revokeSelected.getText()).toBe('Revoke selected (2)');
    await revokeSelected.click();

    const dialog = await dialogs.getHarness(MatDialogHarness);
    expect(await dialog.getTitleText()).toBe('Revoke 2 sessions?');
    const confirm = (await dialog.getHarness(MatButtonHarness.with({ text: 'Revoke selected' }))).click();
    const revoke = await nextRequest(http, { method: 'POST', url: `/api/admin/users/${USER_ID}/sessions/revoke` });
    expect(revoke.request.body).toEqual({ sessionIds: [laptop.id, tablet.id], note: 'Stolen bag' });
    revoke.flush({ revoked: 2 });
    (await nextRequest(http, { method: 'GET', url: LIST })).flush({ sessions: [phone] });
    await confirm;
    expect(await revokeSelected.getText()).toBe('Revoke selected (0)');
    expect(document.body.textContent).toContain('2 sessions were revoked.');
  });

  it('should select all with the header checkbox', async () => {
    const { loader } = await render();
    await (await checkbox(loader, /^Select all sessions$/)).check();
    expect(await (await loader.getHarness(MatButtonHarness.with({ selector: '[data-testid=revoke-selected]' }))).getText()).toBe(
      'Revoke selected (3)',
    );
  });

  it('should revoke all sessions of the user', async () => {
    const { loader, dialogs, http, harness } = await render();
    await (await loader.getHarness(MatButtonHarness.with({ selector: '[data-testid=revoke-all]' }))).click();
    const confirm = (await (await dialogs.getHarness(MatDialogHarness)).getHarness(MatButtonHarness.with({ text: 'Revoke all' }))).click();
    const request = await nextRequest(http, { method: 'POST', url: `/api/admin/users/${USER_ID}/logout-everywhere` });
    expect(request.request.body).toEqual({});
    request.flush({ revoked: 3 });
    (await nextRequest(http, { method: 'GET', url: LIST })).flush({ sessions: [] });
    await confirm;
    await harness.fixture.whenStable();
    expect(document.body.textContent).toContain('No active sessions.');
  });
});
