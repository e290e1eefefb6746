import { inject } from '@angular/core';
import { MatSnackBar } from '@angular/material/snack-bar';
import { apiProblemOf, describeProblem } from '../../core/http/api-error';

export interface Notify {
  (message: string): void;
  /** Says why an action failed; silent for a 401 (the session end already says it). */
  failure(error: unknown, action: string): void;
}

/** A snackbar helper; call in an injection context. */
export function injectNotify(): Notify {
  const snackBar = inject(MatSnackBar);
  const notify = ((message: string) => {
    snackBar.open(message, 'Close', { duration: 6000, politeness: 'polite' });
  }) as Notify;
  notify.failure = (error, action) => {
    const problem = apiProblemOf(error);
    if (problem.status === 401) return;
    const text =
      problem.code === 'reauth_required'
        ? `${action}: nothing was changed, because your password was not confirmed.`
        : `${action}: ${describeProblem(problem)}`;
    snackBar.open(text, 'Close', { duration: 10000, politeness: 'assertive' });
  };
  return notify;
}
