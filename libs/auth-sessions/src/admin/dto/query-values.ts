import { Transform } from 'class-transformer';

// Whole numbers in plain decimal digits: '1e2', '0x10', ' 7' and '7.0' are not integers as the document types them.
const INTEGER = /^-?\d{1,15}$/;

/**
 * Reads a query parameter as a whole number; an absent value stays undefined (the default applies)
 * and anything that is not plain decimal digits becomes NaN, which the validators reject with 400.
 * An empty value (`?page=`) is one of those: it names no number, so it is malformed, not absent.
 * A whole number stays as it is: a host's global `ValidationPipe` (transform, or whitelist) runs
 * first and hands the library's pipe the value it already converted.
 */
export const ToOptionalNumber = (): PropertyDecorator =>
  Transform(({ value }: { value: unknown }) =>
    value === undefined
      ? undefined
      : typeof value === 'number' && Number.isSafeInteger(value)
        ? value
        : typeof value === 'string' && INTEGER.test(value)
          ? Number(value)
          : Number.NaN,
  );

/**
 * Reads an optional free-text query parameter (a search), where an empty value means no filter: what
 * a cleared search box sends. Typed parameters (ids, types, times, numbers, cursors) do not use it:
 * an empty one is malformed (400). Repeated parameters stay arrays (and fail validation).
 */
export const EmptyAsAbsent = (): PropertyDecorator => Transform(({ value }: { value: unknown }) => (value === '' ? undefined : value));
