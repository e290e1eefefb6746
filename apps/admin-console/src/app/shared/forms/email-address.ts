import type { AbstractControl, ValidationErrors } from '@angular/forms';

/** The longest email address the API takes (its `MaxLength(320)`). */
export const EMAIL_MAX_LENGTH = 320;

const LOCAL_AT_DOMAIN = /^[^\s@]+@[^\s@]+$/u;

/**
 * An email address as the console checks it: `local@domain`, no white space, at most {@link EMAIL_MAX_LENGTH}
 * characters, in any script. Angular's `Validators.email` takes ASCII only and would lock out addresses the
 * API accepts (`chloé.dupont@exemple.fr`, `张伟@例子.中国`); the server has the last word anyway. An empty value
 * passes (pair it with `Validators.required`); a failure is `{ email: true }`, the key `Validators.email` uses.
 */
export function emailAddress(control: AbstractControl<string | null>): ValidationErrors | null {
  const value = control.value;
  if (!value) return null;
  return value.length <= EMAIL_MAX_LENGTH && LOCAL_AT_DOMAIN.test(value) ? null : { email: true };
}
