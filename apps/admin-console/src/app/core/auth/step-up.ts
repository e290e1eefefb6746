import { Injectable, inject } from '@angular/core';
import { MatDialog } from '@angular/material/dialog';
import { finalize, map, shareReplay, type Observable } from 'rxjs';
import { ReauthDialog } from '../../shared/ui/reauth-dialog/reauth-dialog';

/** Asks for the password when an action needs a fresh session; concurrent asks share one dialog. */
@Injectable({ providedIn: 'root' })
export class StepUp {
  private readonly dialog = inject(MatDialog);
  private open: Observable<boolean> | null = null;

  /** Emits true once the session is fresh again, false when the user cancelled. */
  confirm(): Observable<boolean> {
    this.open ??= this.dialog
      .open<ReauthDialog, void, boolean>(ReauthDialog, { width: '420px', autoFocus: 'first-tabbable', restoreFocus: true })
      .afterClosed()
      .pipe(
        map((confirmed) => confirmed === true),
        finalize(() => (this.open = null)),
        shareReplay(1),
      );
    return this.open;
  }
}
