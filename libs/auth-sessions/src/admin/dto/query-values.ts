import { Transform } from 'class-transformer';

/**
 * Reads a query parameter as a number; an absent or empty value stays undefined (the default
 * applies) and anything else that is not a number becomes NaN, which the validators reject with 400.
 */
export const ToOptionalNumber = (): PropertyDecorator =>
  Transform(({ value }: { value: unknown }) => (value === undefined || value === '' ? undefined : typeof value === 'string' ? Number(value) : Number.NaN));

/** Reads an optional query parameter; an empty value counts as absent. Repeated parameters stay arrays (and fail validation). */
export const EmptyAsAbsent = (): PropertyDecorator => Transform(({ value }: { value: unknown }) => (value === '' ? undefined : value));
