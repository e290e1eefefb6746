import { Injectable, signal, type OnDestroy } from '@angular/core';

/** "Now", refreshed every 30 seconds, so relative times ("3 minutes ago") stay true while a page is open. */
@Injectable({ providedIn: 'root' })
export class Clock implements OnDestroy {
  private readonly current = signal(Date.now());
  private readonly timer = setInterval(() => this.current.set(Date.now()), 30_000);

  readonly now = this.current.asReadonly();

  ngOnDestroy(): void {
    clearInterval(this.timer);
  }
}
