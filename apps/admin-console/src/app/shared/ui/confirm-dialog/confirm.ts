import { inject } from '@angular/core';
import { MatDialog } from '@angular/material/dialog';
import { firstValueFrom } from 'rxjs';
import { ConfirmDialog, type ConfirmDialogData, type ConfirmDialogResult } from './confirm-dialog';

/** Returns a function that opens {@link ConfirmDialog}; call it in an injection context (a field initializer). */
export function injectConfirm(): (data: ConfirmDialogData) => Promise<ConfirmDialogResult | undefined> {
  const dialog = inject(MatDialog);
  return (data) =>
    firstValueFrom(
      dialog.open<ConfirmDialog, ConfirmDialogData, ConfirmDialogResult>(ConfirmDialog, { data, width: '460px' }).afterClosed(),
    );
}
