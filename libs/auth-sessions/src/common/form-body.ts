import { Transform } from 'class-transformer';

/** Marks a body the host's parser read from `application/x-www-form-urlencoded` (not enumerable: no field). */
const FORM_BODY: unique symbol = Symbol('signoff.form-body');

/** Notes that this parsed body came from a form post, whose values are all text. */
export function markFormBody(body: unknown): void {
  if (typeof body !== 'object' || body === null || FORM_BODY in body) return;
  Object.defineProperty(body, FORM_BODY, { value: true, enumerable: false });
}

/** What HTML posts for a checkbox (`on`, or its `value`) and what a script sends as text. */
const FORM_BOOLEANS: Readonly<Record<string, boolean>> = { on: true, true: true, false: false };

/**
 * A boolean field a form may post: in a form body, `on` (a checked checkbox) and `true` read as
 * true and `false` as false; an unchecked checkbox sends nothing, which is the field's default.
 * A JSON body is left as sent, so there `"true"` stays a string and `@IsBoolean()` refuses it.
 */
export function FormBoolean(): PropertyDecorator {
  return Transform(({ value, obj }: { value: unknown; obj: unknown }) =>
    typeof value === 'string' && typeof obj === 'object' && obj !== null && FORM_BODY in obj && Object.hasOwn(FORM_BOOLEANS, value)
      ? FORM_BOOLEANS[value]
      : value,
  );
}
