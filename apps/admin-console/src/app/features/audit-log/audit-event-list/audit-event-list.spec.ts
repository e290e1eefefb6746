import { HttpTestingController } from '@angular/common/http/testing';
import { TestBed } from '@angular/core/testing';
import { TestbedHarnessEnvironment } from '@angular/cdk/testing/testbed';
import { MatButtonHarness } from '@angular/material/button/testing';
import { provideNativeDateAdapter } from '@angular/material/core';
import { MatDateRangeInputHarness } from '@angular/material/datepicker/testing';
import { MatInputHarness } from '@angular/material/input/testing';
import { MatSelectHarness } from '@angular/material/select/testing';
import { MatTableHarness } from '@angular/material/table/testing';
import { nextRequest } from '../../../../testing/http';
import { provideConsoleTesting } from '../../../../testing/testing-providers';
import type { AuditEvent } from '../audit-event';
import { AuditEventList } from './audit-event-list';

const USER_ID = '6f9f3b9e-2c54-4a8e-9d59-1b1f7c4c9a11';

function event(overrides: Partial<AuditEvent> = {}): AuditEvent {
  return {
    id: crypto.randomUUID(),
    type: 'session_revoked',
    at: new Date(Date.now() - 10 * 60_000).toISOString(),
    actor: { id: 'a1', email: 'admin@example.com' },
    userId: USER_ID,
    sessionId: crypto.randomUUID(),
    ip: '203.0.113.7',
    userAgent: '<script>alert(1)</script>',
    reason: 'revoked_by_admin',
    note: 'Stolen laptop',
    metadata: {},
    ...overrides,
  };
}

async function render() {
  sessionStorage.clear();
  TestBed.configureTestingModule({ providers: [provideConsoleTesting(), provideNativeDateAdapter()] });
  const http = TestBed.inject(HttpTestingController);
  const fixture = TestBed.createComponent(AuditEventList);
  (await nextRequest(http, { url: '/api/admin/audit?limit=50' })).flush({ items: [event(), event({ type: 'login', note: null, reason: null })], nextCursor: 'c2' });
  await fixture.whenStable();
  return { fixture, http, loader: TestbedHarnessEnvironment.loader(fixture) };
}

describe('AuditEventList', () => {
  it('should show the events, with user agents and notes as text', async () => {
    const { loader, fixture } = await render();
    const columns = await (await loader.getHarness(MatTableHarness)).getCellTextByColumnName();
    expect(columns['type']?.text).toEqual(['Session revoked', 'Login']);
    expect(columns['actor']?.text[0]).toBe('admin@example.com');
    expect(columns['details']?.text[0]).toMatch(/Revoked by an administrator\s*“Stolen laptop”/);
    expect(columns['userAgent']?.text[0]).toBe('<script>alert(1)</script>');
    expect((fixture.nativeElement as HTMLElement).querySelector('tbody script')).toBeNull();
  });

  it('should filter by type, user and dates, and export with the same filters', async () => {
    const { loader, http, fixture } = await render();
    await (await loader.getHarness(MatSelectHarness)).clickOptions({ text: 'Logout everywhere' });
    await (await loader.getHarness(MatInputHarness.with({ selector: '[formControlName=userId]' }))).setValue(USER_ID);
    const dates = await loader.getHarness(MatDateRangeInputHarness);
    await (await dates.getStartInput()).setValue('3/1/2026');
    await (await dates.getEndInput()).setValue('3/2/2026');
    const apply = (await loader.getHarness(MatButtonHarness.with({ text: 'Apply filters' }))).click();
    const request = await nextRequest(http, { url: /^\/api\/admin\/audit\?/ });
    const params = request.request.urlWithParams.split('?')[1]!;
    const query = new URLSearchParams(params);
    expect(query.get('type')).toBe('logout_everywhere');
    expect(query.get('userId')).toBe(USER_ID);
    expect(query.get('from')).toBe(new Date(2026, 2, 1).toISOString());
    expect(query.get('to')).toBe(new Date(2026, 2, 3).toISOString());
    expect(query.get('limit')).toBe('50');
    request.flush({ items: [], nextCursor: null });
    await apply;
    const exportLink = (fixture.nativeElement as HTMLElement).querySelector<HTMLAnchorElement>('[data-testid=export-csv]')!;
    const exported = new URL(exportLink.href);
    expect(exported.pathname).toBe('/api/admin/audit/export');
    expect(exported.searchParams.get('format')).toBe('csv');
    expect(exported.searchParams.get('type')).toBe('logout_everywhere');
    expect(exported.searchParams.get('userId')).toBe(USER_ID);
  });

  it('should refuse a user filter that is not a UUID', async () => {
    const { loader, http } = await render();
    await (await loader.getHarness(MatInputHarness.with({ selector: '[formControlName=userId]' }))).setValue('bob');
    await (await loader.getHarness(MatButtonHarness.with({ text: 'Apply filters' }))).click();
    http.expectNone(/^\/api\/admin\/audit\?.*userId/ as unknown as string);
    expect(document.body.textContent).toContain('Enter a user ID (a UUID).');
  });

  it('should page older and newer by cursor', async () => {
    const { loader, http } = await render();
    const older = (await loader.getHarness(MatButtonHarness.with({ text: /Older/ }))).click();
    (await nextRequest(http, { url: '/api/admin/audit?limit=50&cursor=c2' })).flush({ items: [event()], nextCursor: null });
    await older;
    expect(await (await loader.getHarness(MatButtonHarness.with({ text: /Older/ }))).isDisabled()).toBe(true);
    const newer = (await loader.getHarness(MatButtonHarness.with({ text: /Newer/ }))).click();
    (await nextRequest(http, { url: '/api/admin/audit?limit=50' })).flush({ items: [event()], nextCursor: 'c2' });
    await newer;
    expect(await (await loader.getHarness(MatButtonHarness.with({ text: /Newer/ }))).isDisabled()).toBe(true);
  });
});
