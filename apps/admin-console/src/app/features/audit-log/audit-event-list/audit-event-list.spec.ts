import { HttpTestingController } from '@angular/common/http/testing';
import { TestBed } from '@angular/core/testing';
import { TestbedHarnessEnvironment } from '@angular/cdk/testing/testbed';
import { MatButtonHarness } from '@angular/material/button/testing';
import { MatDateRangeInputHarness } from '@angular/material/datepicker/testing';
import { MatInputHarness } from '@angular/material/input/testing';
import { MatSelectHarness } from '@angular/material/select/testing';
import { MatSlideToggleHarness } from '@angular/material/slide-toggle/testing';
import { Location } from '@angular/common';
import { Router } from '@angular/router';
import { RouterTestingHarness } from '@angular/router/testing';
import { nextRequest } from '../../../../testing/http';
import { provideConsoleTesting } from '../../../../testing/testing-providers';
import type { AuditEvent } from '../audit-event';
import { AuditEventList } from './audit-event-list';
import { provideDayDateAdapter } from '../day-date-adapter';

const USER_ID = '6f9f3b9e-2c54-4a8e-9d59-1b1f7c4c9a11';

function event(overrides: Partial<AuditEvent> = {}): AuditEvent {
  return {
    id: crypto.randomUUID(),
    type: 'session_revoked',
    at: new Date(Date.now() - 10 * 60_000).toISOString(),
    actor: { id: 'a1', email: 'admin@example.com' },
    userId: USER_ID,
    user: { id: USER_ID, email: 'ada@example.com' },
    sessionId: crypto.randomUUID(),
    ip: '203.0.113.7',
    userAgent: '<script>alert(1)</script>',
    reason: 'revoked_by_admin',
    note: 'Stolen laptop',
    metadata: {},
    ...overrides,
  };
}

const read = (type = 'audit_read') => event({ type, userId: null, user: null, reason: null, note: null });

async function render(
  url = '/admin/audit',
  expected = '/api/admin/audit?limit=50',
  items: AuditEvent[] = [event(), event({ type: 'login', note: null, reason: null })],
) {
  sessionStorage.clear();
  TestBed.configureTestingModule({ providers: [provideConsoleTesting([{ path: 'admin/audit', component: AuditEventList }]), provideDayDateAdapter()] });
  const http = TestBed.inject(HttpTestingController);
  const harness = await RouterTestingHarness.create();
  const navigation = harness.navigateByUrl(url);
  (await nextRequest(http, { url: expected })).flush({ items, nextCursor: 'c2' });
  await navigation;
  await harness.fixture.whenStable();
  return { harness, http, router: TestBed.inject(Router), element: harness.routeNativeElement!, loader: TestbedHarnessEnvironment.loader(harness.fixture) };
}

const cells = (element: HTMLElement, column: string) =>
  [...element.querySelectorAll(`tr[data-testid=audit-row] td.mat-column-${column}`)].map((cell) => cell.textContent?.replace(/\s+/g, ' ').trim());

describe('AuditEventList', () => {
  it("should show the events with the user's email (linked) and user agents and notes as text", async () => {
    const { element } = await render();
    expect(cells(element, 'type')).toEqual(['Session revoked', 'Login']);
    // The exact time is the text (a tooltip would hide it on a phone), the relative one under it.
    const when = element.querySelector('td.mat-column-at time')!;
    expect(when.textContent?.trim()).toBe(
      new Intl.DateTimeFormat('en', { dateStyle: 'medium', timeStyle: 'medium' }).format(new Date(when.getAttribute('datetime')!)),
    );
    expect(cells(element, 'at')[0]).toMatch(/ 10 minutes ago$/);
    expect(cells(element, 'actor')[0]).toBe('admin@example.com');
    expect(cells(element, 'user')[0]).toBe('ada@example.com');
    expect(element.querySelector<HTMLAnchorElement>('td.mat-column-user a')?.getAttribute('href')).toBe(`/admin/users/${USER_ID}`);
    expect(cells(element, 'details')[0]).toMatch(/Revoked by an administrator “Stolen laptop”/);
    expect(cells(element, 'userAgent')[0]).toBe('<script>alert(1)</script>');
    expect(element.querySelector('tbody script')).toBeNull();
  });

  it('should fold runs of admin reads into one row by default, open one on request, and show them all with the toggle', async () => {
    const { element, loader, router, http, harness } = await render('/admin/audit', '/api/admin/audit?limit=50', [
      read(),
      read('admin_sessions_viewed'),
      read(),
      event({ type: 'logout' }),
      read(),
    ]);
    expect(cells(element, 'type')).toEqual(['Logout']);
    const folded = [...element.querySelectorAll('[data-testid=audit-folded]')].map((row) => row.textContent?.replace(/\s+/g, ' ').trim());
    expect(folded).toEqual([
      expect.stringContaining('3 admin reads (sessions viewed, audit log read) by admin@example.com'),
      expect.stringContaining('1 admin read'),
    ]);
    await (await loader.getHarness(MatButtonHarness.with({ text: 'Show' }))).click();
    expect(cells(element, 'type')).toEqual(['Admin read the audit log', 'Admin viewed sessions', 'Admin read the audit log', 'Logout']);

    await (await loader.getHarness(MatSlideToggleHarness)).toggle();
    await vi.waitFor(() => expect(router.url).toBe('/admin/audit?reads=shown'));
    http.expectNone(() => true);
    await harness.fixture.whenStable();
    expect(cells(element, 'type')).toHaveLength(5);
    expect(element.querySelectorAll('[data-testid=audit-folded]')).toHaveLength(0);
  });

  it('should filter by type, email and dates through the URL, and export with the same filters', async () => {
    const { loader, http, router, element } = await render();
    await (await loader.getHarness(MatSelectHarness)).clickOptions({ text: 'Logout everywhere' });
    await (await loader.getHarness(MatInputHarness.with({ selector: '[data-testid=audit-email]' }))).setValue('Ada@Example.com');
    const dates = await loader.getHarness(MatDateRangeInputHarness);
    await (await dates.getStartInput()).setValue('3/1/2026');
    await (await dates.getEndInput()).setValue('3/2/2026');
    const apply = (await loader.getHarness(MatButtonHarness.with({ text: 'Apply filters' }))).click();
    const request = await nextRequest(http, { url: /^\/api\/admin\/audit\?/ });
    const query = new URLSearchParams(request.request.urlWithParams.split('?')[1]);
    expect(query.get('type')).toBe('logout_everywhere');
    expect(query.get('email')).toBe('Ada@Example.com');
    expect(query.get('from')).toBe(new Date(2026, 2, 1).toISOString());
    expect(query.get('to')).toBe(new Date(2026, 2, 3).toISOString());
    expect(query.get('limit')).toBe('50');
    request.flush({ items: [], nextCursor: null });
    await apply;
    expect(router.url).toBe('/admin/audit?type=logout_everywhere&email=Ada@Example.com&from=2026-03-01&to=2026-03-02');
    const exported = new URL(element.querySelector<HTMLAnchorElement>('[data-testid=export-csv]')!.href);
    expect(exported.pathname).toBe('/api/admin/audit/export');
    expect(exported.searchParams.get('format')).toBe('csv');
    expect(exported.searchParams.get('type')).toBe('logout_everywhere');
    expect(exported.searchParams.get('email')).toBe('Ada@Example.com');
  });

  it('should open with the filters and page the URL names, and fill the form with them', async () => {
    const { loader } = await render(
      '/admin/audit?type=login&email=ada%40example.com&limit=25&cursor=c9',
      '/api/admin/audit?type=login&email=ada@example.com&limit=25&cursor=c9',
    );
    expect(await (await loader.getHarness(MatInputHarness.with({ selector: '[data-testid=audit-email]' }))).getValue()).toBe('ada@example.com');
    expect(await (await loader.getHarness(MatSelectHarness.with({ selector: '[data-testid=audit-type]' }))).getValueText()).toBe('Login');
    expect(await (await loader.getHarness(MatButtonHarness.with({ text: /Newer/ }))).isDisabled()).toBe(false);
  });

  it('should refuse an email filter that is not an email address', async () => {
    const { loader, http } = await render();
    await (await loader.getHarness(MatInputHarness.with({ selector: '[data-testid=audit-email]' }))).setValue('bob');
    await (await loader.getHarness(MatButtonHarness.with({ text: 'Apply filters' }))).click();
    http.expectNone(/email=/ as unknown as string);
    expect(document.body.textContent).toContain('Enter a whole email address.');
  });

  it('should page older and newer by cursor, in the URL', async () => {
    const { loader, http, router } = await render();
    const older = (await loader.getHarness(MatButtonHarness.with({ text: /Older/ }))).click();
    (await nextRequest(http, { url: '/api/admin/audit?limit=50&cursor=c2' })).flush({ items: [event()], nextCursor: null });
    await older;
    expect(router.url).toBe('/admin/audit?cursor=c2');
    expect(await (await loader.getHarness(MatButtonHarness.with({ text: /Older/ }))).isDisabled()).toBe(true);
    const newer = (await loader.getHarness(MatButtonHarness.with({ text: /Newer/ }))).click();
    (await nextRequest(http, { url: '/api/admin/audit?limit=50' })).flush({ items: [event()], nextCursor: 'c2' });
    await newer;
    expect(router.url).toBe('/admin/audit');
    expect(await (await loader.getHarness(MatButtonHarness.with({ text: /Newer/ }))).isDisabled()).toBe(true);
  });

  it('should number the page and find the newer one after Back and Forward, and say when a linked page has no known number', async () => {
    const { loader, http, router, harness, element } = await render();
    const page = () => element.querySelector('nav .page')?.textContent?.trim();
    const click = (text: RegExp) => loader.getHarness(MatButtonHarness.with({ text })).then((button) => button.click());
    const answer = async (cursor: string | null, nextCursor: string | null) => {
      (await nextRequest(http, { url: `/api/admin/audit?limit=50${cursor ? `&cursor=${cursor}` : ''}` })).flush({ items: [event()], nextCursor });
      await harness.fixture.whenStable();
    };
    expect(page()).toBe('Page 1');
    let clicked = click(/Older/);
    await answer('c2', 'c3');
    await clicked;
    clicked = click(/Older/);
    await answer('c3', null);
    await clicked;
    expect([router.url, page()]).toEqual(['/admin/audit?cursor=c3', 'Page 3']);

    // The app's initial navigation sets this up; the test harness does not navigate initially.
    router.setUpLocationChangeListener();
    const location = TestBed.inject(Location);
    location.back();
    await answer('c2', 'c3');
    expect([router.url, page()]).toEqual(['/admin/audit?cursor=c2', 'Page 2']);
    location.forward();
    await answer('c3', null);
    expect([router.url, page()]).toEqual(['/admin/audit?cursor=c3', 'Page 3']);
    location.back();
    await answer('c2', 'c3');
    clicked = click(/Newer/);
    await answer(null, 'c2');
    await clicked;
    expect([router.url, page()]).toEqual(['/admin/audit', 'Page 1']);

    clicked = harness.navigateByUrl('/admin/audit?cursor=c7').then(() => undefined);
    await answer('c7', 'c8');
    await clicked;
    expect(page()).toBe('Older events');
    expect(await (await loader.getHarness(MatButtonHarness.with({ text: /Newer/ }))).isDisabled()).toBe(false);
  });
});
