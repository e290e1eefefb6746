import { signal } from '@angular/core';
import type { FormGroupDirective } from '@angular/forms';
import { apiProblemOf, type ApiProblem } from '../../core/http/api-error';

export interface SubmitOptions<T> {
  /** The sentence shown above the button for a failure; null shows nothing (a 401 already ends the session). */
  failure: (problem: ApiProblem) => string | null;
  /** Values to put back after a failure (e.g. the email but not the password); without it the form keeps its values. */
  keepOnFailure?: (value: Record<string, unknown>) => Record<string, unknown>;
  onSuccess?: (result: T) => void | Promise<void>;
}

/**
 * The submit logic the console's forms share: refuse an invalid form (and show why), one request at a
 * time, the busy flag, the error line, and afterwards a form that shows no error it has not earned.
 * Material marks a field red when it is invalid and the form was submitted; `resetForm()` clears that
 * submitted flag, so an emptied form after success (or an emptied password after a wrong one) is not red.
 */
export class FormSubmission {
  /** Whether the request is running (spinner, disabled button). */
  readonly busy = signal(false);
  /** The error line, '' when there is none. */
  readonly error = signal('');

  async submit<T>(form: FormGroupDirective, work: () => Promise<T>, options: SubmitOptions<T>): Promise<boolean> {
    if (form.invalid || this.busy()) {
      form.control.markAllAsTouched();
      return false;
    }
    this.busy.set(true);
    this.error.set('');
    try {
      const result = await work();
      form.resetForm();
      await options.onSuccess?.(result);
      return true;
    } catch (error) {
      this.error.set(options.failure(apiProblemOf(error)) ?? '');
      if (options.keepOnFailure) form.resetForm(options.keepOnFailure(form.control.getRawValue() as Record<string, unknown>));
      return false;
    } finally {
      this.busy.set(false);
    }
  }
}
