import { HttpContext, httpResource } from '@angular/common/http';
import { ChangeDetectionStrategy, Component, computed, effect, inject, input, linkedSignal, signal } from '@angular/core';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatIconModule } from '@angular/material/icon';
import { MatInputModule } from '@angular/material/input';
import { MatPaginatorModule, type PageEvent } from '@angular/material/paginator';
import { MatTableModule } from '@angular/material/table';
import { Router, RouterLink } from '@angular/router';
import { CACHE_FOR_MS } from '../../../core/http/http-context';
import { LoadStatus } from '../../../core/http/load-status';
import { PageHeader } from '../../../core/layout/page-header';
import { AppStorage } from '../../../core/storage/app-storage';
import { TimeAgo } from '../../../shared/time/time-ago';
import type { AdminUsersPage } from '../admin-user';
import { usersUrl } from '../admin-users-api';

const PAGE_SIZE_KEY = 'admin.users.pageSize';
const PAGE_SIZES = [10, 20, 50, 100];
const SEARCH_DELAY_MS = 300;

/**
 * /admin/users?search=&page=&pageSize=: search and page through users with their active-session counts.
 * The search, page and page size live in the URL, so a reload, a shared link or Back shows the same page.
 */
@Component({
  selector: 'app-user-list',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [MatFormFieldModule, MatIconModule, MatInputModule, MatPaginatorModule, MatTableModule, RouterLink, PageHeader, LoadStatus, TimeAgo],
  templateUrl: './user-list.html',
  styleUrl: './user-list.scss',
})
export class UserList {
  private readonly storage = inject(AppStorage);
  private readonly router = inject(Router);

  /** Query parameters, bound by the router. */
  readonly search = input<string>();
  readonly page = input<string>();
  readonly pageSize = input<string>();

  /** What is typed, ahead of the URL by the debounce. */
  protected readonly searchText = signal('');
  protected readonly appliedSearch = computed(() => (this.search() ?? '').trim());
  protected readonly pageIndex = computed(() => Math.max(0, (positive(this.page()) ?? 1) - 1));
  protected readonly size = computed(() => {
    const fromUrl = positive(this.pageSize());
    return fromUrl && PAGE_SIZES.includes(fromUrl) ? fromUrl : this.storage.read(PAGE_SIZE_KEY, 20);
  });
  protected readonly pageSizes = PAGE_SIZES;

  protected readonly users = httpResource<AdminUsersPage>(() => ({
    url: usersUrl(this.appliedSearch(), this.pageIndex() + 1, this.size()),
    // Back from a user's page is instant; any revocation (a non-GET) empties the cache.
    context: new HttpContext().set(CACHE_FOR_MS, 30_000),
  }));
  protected readonly rows = computed(() => (this.users.hasValue() ? this.users.value().items : []));
  /** The last known total while the next page loads, so the paginator does not jump to "0 of 0" between pages. */
  protected readonly total = linkedSignal<number | undefined, number>({
    source: () => (this.users.hasValue() ? this.users.value().total : undefined),
    computation: (total, previous) => total ?? previous?.value ?? 0,
  });
  protected readonly columns = ['email', 'roles', 'activeSessions', 'lastActive'];
  private searchTimer: ReturnType<typeof setTimeout> | undefined;

  constructor() {
    // The field follows the URL (a reload, Back), without fighting the user while they type.
    effect(() => {
      const applied = this.search() ?? '';
      if (this.searchTimer === undefined) this.searchText.set(applied);
    });
    // A page past the end (an old link, users removed since): the last page instead, in place of this URL.
    effect(() => {
      if (!this.users.hasValue()) return;
      const { items, total } = this.users.value();
      const lastPage = Math.max(1, Math.ceil(total / this.size()));
      if (items.length === 0 && this.pageIndex() + 1 > lastPage) this.navigate({ page: lastPage > 1 ? lastPage : null }, true);
    });
  }

  protected onSearch(value: string): void {
    this.searchText.set(value);
    clearTimeout(this.searchTimer);
    this.searchTimer = setTimeout(() => {
      this.searchTimer = undefined;
      // Typing replaces the history entry: Back leaves the search, not each keystroke.
      this.navigate({ search: value.trim() || null, page: null }, true);
    }, SEARCH_DELAY_MS);
  }

  protected onPage(event: PageEvent): void {
    if (event.pageSize !== this.size()) {
      this.storage.write(PAGE_SIZE_KEY, event.pageSize);
      this.navigate({ pageSize: event.pageSize, page: null });
    } else {
      this.navigate({ page: event.pageIndex > 0 ? event.pageIndex + 1 : null });
    }
  }

  private navigate(queryParams: Record<string, string | number | null>, replaceUrl = false): void {
    void this.router.navigate([], { queryParams, queryParamsHandling: 'merge', replaceUrl });
  }
}

function positive(value: string | undefined): number | undefined {
  const number = Number(value);
  return Number.isInteger(number) && number > 0 ? number : undefined;
}
