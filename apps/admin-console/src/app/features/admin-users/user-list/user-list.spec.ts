import { HttpTestingController } from '@angular/common/http/testing';
import { TestBed } from '@angular/core/testing';
import { TestbedHarnessEnvironment } from '@angular/cdk/testing/testbed';
import { MatInputHarness } from '@angular/material/input/testing';
import { MatPaginatorHarness } from '@angular/material/paginator/testing';
import { MatTableHarness } from '@angular/material/table/testing';
import { Router } from '@angular/router';
import { RouterTestingHarness } from '@angular/router/testing';
import { nextRequest, problem } from '../../../../testing/http';
import { provideConsoleTesting } from '../../../../testing/testing-providers';
import type { AdminUser } from '../admin-user';
import { UserList } from './user-list';

function users(count: number, offset = 0): AdminUser[] {
  return Array.from({ length: count }, (_, index) => ({
    id: `00000000-0000-4000-8000-${String(index + offset).padStart(12, '0')}`,
    email: `user${index + offset}@example.com`,
    roles: index + offset === 0 ? ['admin'] : [],
    activeSessions: (index + offset) % 3,
    lastActiveAt: index + offset === 1 ? null : new Date(Date.now() - 5 * 60_000).toISOString(),
  }));
}

async function render(
  url = '/admin/users',
  expected = '/api/admin/users?page=1&pageSize=20',
  body: object = { items: users(20), total: 45, page: 1, pageSize: 20 },
) {
  return renderAnswering(url, [[expected, body]]);
}

/** Opens `url` and answers the requests the list makes, in turn. */
async function renderAnswering(url: string, requests: Array<[string, object]>) {
  sessionStorage.clear();
  TestBed.configureTestingModule({ providers: [provideConsoleTesting([{ path: 'admin/users', component: UserList }])] });
  const http = TestBed.inject(HttpTestingController);
  const harness = await RouterTestingHarness.create();
  const navigation = harness.navigateByUrl(url);
  for (const [expected, body] of requests) (await nextRequest(http, { url: expected })).flush(body);
  await navigation;
  await harness.fixture.whenStable();
  return { harness, http, router: TestBed.inject(Router), loader: TestbedHarnessEnvironment.loader(harness.fixture) };
}

describe('UserList', () => {
  it('should show email, roles, active sessions and last activity for each user', async () => {
    const { loader } = await render();
    const columns = await (await loader.getHarness(MatTableHarness)).getCellTextByColumnName();
    expect(columns['email']?.text.slice(0, 2)).toEqual(['user0@example.com', 'user1@example.com']);
    expect(columns['roles']?.text.slice(0, 2)).toEqual(['admin', '—']);
    expect(columns['activeSessions']?.text.slice(0, 3)).toEqual(['0', '1', '2']);
    expect(columns['lastActive']?.text.slice(0, 2)).toEqual(['5 minutes ago', 'Never']);
  });

  it('should keep the page and page size in the URL, and remember the page size', async () => {
    const { loader, http, router } = await render();
    const paginator = await loader.getHarness(MatPaginatorHarness);
    expect(await paginator.getRangeLabel()).toBe('1 – 20 of 45');
    const next = paginator.goToNextPage();
    (await nextRequest(http, { url: '/api/admin/users?page=2&pageSize=20' })).flush({ items: users(20, 20), total: 45, page: 2, pageSize: 20 });
    await next;
    expect(router.url).toBe('/admin/users?page=2');
    expect(await paginator.getRangeLabel()).toBe('21 – 40 of 45');

    const resize = paginator.setPageSize(50);
    (await nextRequest(http, { url: '/api/admin/users?page=1&pageSize=50' })).flush({ items: users(45), total: 45, page: 1, pageSize: 50 });
    await resize;
    expect(router.url).toBe('/admin/users?pageSize=50');
    expect(sessionStorage.getItem('signoff.console.admin.users.pageSize')).toBe('50');
  });

  it('should open on the search and page the URL names (a reload, a shared link)', async () => {
    const { loader } = await render('/admin/users?search=ada&page=2', '/api/admin/users?page=2&pageSize=20&search=ada', {
      items: users(3, 20),
      total: 23,
      page: 2,
      pageSize: 20,
    });
    expect(await (await loader.getHarness(MatInputHarness.with({ selector: '[data-testid=user-search]' }))).getValue()).toBe('ada');
    expect(await (await loader.getHarness(MatPaginatorHarness)).getRangeLabel()).toBe('21 – 23 of 23');
  });

  it('should go to the last page, replacing the URL, when the URL names a page past the end', async () => {
    const { loader, router } = await renderAnswering('/admin/users?page=99', [
      ['/api/admin/users?page=99&pageSize=20', { items: [], total: 45, page: 99, pageSize: 20 }],
      ['/api/admin/users?page=3&pageSize=20', { items: users(5, 40), total: 45, page: 3, pageSize: 20 }],
    ]);
    expect(router.url).toBe('/admin/users?page=3');
    expect(await (await loader.getHarness(MatPaginatorHarness)).getRangeLabel()).toBe('41 – 45 of 45');
  });

  it('should go to the first page when nothing matches and the URL names a later one', async () => {
    const { http, router } = await renderAnswering('/admin/users?search=nobody&page=4', [
      ['/api/admin/users?page=4&pageSize=20&search=nobody', { items: [], total: 0, page: 4, pageSize: 20 }],
      ['/api/admin/users?page=1&pageSize=20&search=nobody', { items: [], total: 0, page: 1, pageSize: 20 }],
    ]);
    expect(router.url).toBe('/admin/users?search=nobody');
    http.verify();
  });

  it('should search by email (debounced) from the first page, and put the search in the URL', async () => {
    const { loader, http, router } = await render('/admin/users?page=2', '/api/admin/users?page=2&pageSize=20');
    const typing = (await loader.getHarness(MatInputHarness.with({ selector: '[data-testid=user-search]' }))).setValue('ada');
    const search = await nextRequest(http, { url: '/api/admin/users?page=1&pageSize=20&search=ada' });
    search.flush({ items: [{ ...users(1)[0], email: 'ada@example.com' }], total: 1, page: 1, pageSize: 20 });
    await typing;
    await vi.waitFor(() => expect(router.url).toBe('/admin/users?search=ada'));
    const table = await loader.getHarness(MatTableHarness);
    expect((await table.getCellTextByColumnName())['email']?.text).toEqual(['ada@example.com']);
  });

  it('should show only the error and its retry when the users did not load, not "No users." and "0 of 0"', async () => {
    sessionStorage.clear();
    TestBed.configureTestingModule({ providers: [provideConsoleTesting([{ path: 'admin/users', component: UserList }])] });
    const http = TestBed.inject(HttpTestingController);
    const harness = await RouterTestingHarness.create();
    const navigation = harness.navigateByUrl('/admin/users');
    (await nextRequest(http, { url: '/api/admin/users?page=1&pageSize=20' })).flush(problem(503), { status: 503, statusText: 'Service Unavailable' });
    await navigation;
    await harness.fixture.whenStable();
    const page = harness.routeNativeElement!;
    expect(page.querySelector('[role=alert]')?.textContent).toContain('Try again');
    expect(page.textContent).not.toContain('No users.');
    expect(page.querySelector('[data-testid=users-table]')).toBeNull();
    expect(page.querySelector('mat-paginator')).toBeNull();
  });
});
