import { HttpTestingController } from '@angular/common/http/testing';
import { TestBed } from '@angular/core/testing';
import { TestbedHarnessEnvironment } from '@angular/cdk/testing/testbed';
import { MatInputHarness } from '@angular/material/input/testing';
import { MatPaginatorHarness } from '@angular/material/paginator/testing';
import { MatTableHarness } from '@angular/material/table/testing';
import { nextRequest } from '../../../../testing/http';
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

async function render() {
  sessionStorage.clear();
  TestBed.configureTestingModule({ providers: [provideConsoleTesting()] });
  const http = TestBed.inject(HttpTestingController);
  const fixture = TestBed.createComponent(UserList);
  (await nextRequest(http, { url: '/api/admin/users?page=1&pageSize=20' })).flush({ items: users(20), total: 45, page: 1, pageSize: 20 });
  await fixture.whenStable();
  return { fixture, http, loader: TestbedHarnessEnvironment.loader(fixture) };
}

describe('UserList', () => {
  it('should show email, roles, active sessions and last activity for each user', async () => {
    const { loader } = await render();
    const table = await loader.getHarness(MatTableHarness);
    const columns = await table.getCellTextByColumnName();
    expect(columns['email']?.text.slice(0, 2)).toEqual(['user0@example.com', 'user1@example.com']);
    expect(columns['roles']?.text.slice(0, 2)).toEqual(['admin', '—']);
    expect(columns['activeSessions']?.text.slice(0, 3)).toEqual(['0', '1', '2']);
    expect(columns['lastActive']?.text.slice(0, 2)).toEqual(['5 minutes ago', 'Never']);
  });

  it('should page through the users with the paginator and remember the page size', async () => {
    const { loader, http } = await render();
    const paginator = await loader.getHarness(MatPaginatorHarness);
    expect(await paginator.getRangeLabel()).toBe('1 – 20 of 45');
    const next = paginator.goToNextPage();
    (await nextRequest(http, { url: '/api/admin/users?page=2&pageSize=20' })).flush({ items: users(20, 20), total: 45, page: 2, pageSize: 20 });
    await next;
    expect(await paginator.getRangeLabel()).toBe('21 – 40 of 45');

    const resize = paginator.setPageSize(50);
    (await nextRequest(http, { url: '/api/admin/users?page=1&pageSize=50' })).flush({ items: users(45), total: 45, page: 1, pageSize: 50 });
    await resize;
    expect(sessionStorage.getItem('signoff.console.admin.users.pageSize')).toBe('50');
  });

  it('should search by email (debounced) from the first page', async () => {
    const { loader, http } = await render();
    const next = (await loader.getHarness(MatPaginatorHarness)).goToNextPage();
    (await nextRequest(http, { url: '/api/admin/users?page=2&pageSize=20' })).flush({ items: [], total: 45, page: 2, pageSize: 20 });
    await next;
    const typing = (await loader.getHarness(MatInputHarness.with({ selector: '[data-testid=user-search]' }))).setValue('ada');
    const search = await nextRequest(http, { url: '/api/admin/users?page=1&pageSize=20&search=ada' });
    search.flush({ items: [{ ...users(1)[0]!, email: 'ada@example.com' }], total: 1, page: 1, pageSize: 20 });
    await typing;
    const table = await loader.getHarness(MatTableHarness);
    expect((await table.getCellTextByColumnName())['email']?.text).toEqual(['ada@example.com']);
  });
});
