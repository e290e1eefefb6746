import { inject } from '@angular/core';
import { MatDialog } from '@angular/material/dialog';
import { firstValueFrom } from 'rxjs';
import { ConfirmDialog, type ConfirmDialogData, type ConfirmDialogResult } from './confirm-dialog';

/** Returns a function that opens {@link ConfirmDialog}; call it in an injection context (a field initializer). */
export function injectConfirm(): <T>(data: ConfirmDialogData<T>) => Promise<ConfirmDialogResult<T> | undefined> {
  const dialog = inject(MatDialog);
  return <T>(data: ConfirmDialogData<T>) =>
    firstValueFrom(
      dialog
        .open<ConfirmDialog<T>, ConfirmDialogData<T>, ConfirmDialogResult<T>>(ConfirmDialog, { data, width: '460px', maxWidth: 'calc(100vw - 32px)' })
        .afterClosed(),
    );
}
