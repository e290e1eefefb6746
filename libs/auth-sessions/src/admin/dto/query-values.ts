import { Transform } from 'class-transformer';

// Whole numbers in plain decimal digits: '1e2', '0x10', ' 7' and '7.0' are not integers as the document types them.
const INTEGER = /^-?\d{1,15}$/;

/**
 * Reads a query parameter as a whole number; an absent or empty value stays undefined (the default
 * applies) and anything that is not plain decimal digits becomes NaN, which the validators reject with 400.
 */
export const ToOptionalNumber = (): PropertyDecorator =>
  Transform(({ value }: { value: unknown }) =>
    value === undefined || value === '' ? undefined : typeof value === 'string' && INTEGER.test(value) ? Number(value) : Number.NaN,
  );

/** Reads an optional query parameter; an empty value counts as absent. Repeated parameters stay arrays (and fail validation). */
export const EmptyAsAbsent = (): PropertyDecorator => Transform(({ value }: { value: unknown }) => (value === '' ? undefined : value));
