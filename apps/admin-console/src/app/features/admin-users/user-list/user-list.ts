import { HttpContext, httpResource } from '@angular/common/http';
import { ChangeDetectionStrategy, Component, computed, inject, signal } from '@angular/core';
import { toObservable, toSignal } from '@angular/core/rxjs-interop';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatIconModule } from '@angular/material/icon';
import { MatInputModule } from '@angular/material/input';
import { MatPaginatorModule, type PageEvent } from '@angular/material/paginator';
import { MatProgressBarModule } from '@angular/material/progress-bar';
import { MatTableModule } from '@angular/material/table';
import { RouterLink } from '@angular/router';
import { debounceTime, distinctUntilChanged, skip } from 'rxjs';
import { PageHeader } from '../../../core/layout/page-header';
import { apiProblemOf, describeProblem } from '../../../core/http/api-error';
import { CACHE_FOR_MS } from '../../../core/http/http-context';
import { AppStorage } from '../../../core/storage/app-storage';
import type { Page } from '../../../shared/paging/page';
import { TimeAgo } from '../../../shared/time/time-ago';
import type { AdminUser } from '../admin-user';
import { usersUrl } from '../admin-users-api';

const PAGE_SIZE_KEY = 'admin.users.pageSize';

/** /admin/users: search and page through users with their active-session counts. */
@Component({
  selector: 'app-user-list',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [
    MatFormFieldModule,
    MatIconModule,
    MatInputModule,
    MatPaginatorModule,
    MatProgressBarModule,
    MatTableModule,
    RouterLink,
    PageHeader,
    TimeAgo,
  ],
  templateUrl: './user-list.html',
  styleUrl: './user-list.scss',
})
export class UserList {
  private readonly storage = inject(AppStorage);

  protected readonly searchText = signal('');
  protected readonly search = toSignal(toObservable(this.searchText).pipe(skip(1), debounceTime(300), distinctUntilChanged()), {
    initialValue: '',
  });
  protected readonly pageIndex = signal(0);
  protected readonly pageSize = signal(this.storage.read(PAGE_SIZE_KEY, 20));

  protected readonly users = httpResource<Page<AdminUser>>(() => ({
    url: usersUrl(this.search().trim(), this.pageIndex() + 1, this.pageSize()),
    // Back from a user's page is instant; any revocation (a non-GET) empties the cache.
    context: new HttpContext().set(CACHE_FOR_MS, 30_000),
  }));
  protected readonly rows = computed(() => (this.users.hasValue() ? this.users.value().items : []));
  protected readonly total = computed(() => (this.users.hasValue() ? this.users.value().total : 0));
  protected readonly loadError = computed(() => {
    const error = this.users.error();
    return error ? describeProblem(apiProblemOf(error)) : null;
  });
  protected readonly columns = ['email', 'roles', 'activeSessions', 'lastActive'];

  protected onSearch(value: string): void {
    this.searchText.set(value);
    this.pageIndex.set(0);
  }

  protected onPage(event: PageEvent): void {
    if (event.pageSize !== this.pageSize()) {
      this.pageSize.set(event.pageSize);
      this.storage.write(PAGE_SIZE_KEY, event.pageSize);
      this.pageIndex.set(0);
    } else {
      this.pageIndex.set(event.pageIndex);
    }
  }
}
