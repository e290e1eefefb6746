import { ValidateBy, type ValidationOptions } from 'class-validator';

/**
 * The one spelling of an email address that the library passes to the host and compares: Unicode
 * NFC. `café@example.com` typed with a precomposed `é` and with `e` plus a combining accent is one
 * address to a person but two strings to a database, so without this the same address could hold
 * two accounts and sign in to only one of them. Case is kept (hosts compare case-insensitively,
 * see `AuthUsersProvider.findByEmail`). Hosts should store and look up emails in this form too.
 * @param email an address as a client sent it
 * @returns the address in Unicode Normalization Form C
 */
export function normalizeEmail(email: string): string {
  return email.normalize('NFC');
}

/**
 * Whether two email addresses are the same account to a host: equal once normalised
 * (`normalizeEmail`) and lower-cased, the comparison a case-insensitive unique index on the
 * normalised address makes.
 */
export function isSameEmail(first: string, second: string): boolean {
  return normalizeEmail(first).toLowerCase() === normalizeEmail(second).toLowerCase();
}

/** Unicode's format characters (category Cf): zero-width spaces and joiners, bidirectional controls, soft hyphens. */
const INVISIBLE = /\p{Cf}/u;

/**
 * Why `email` could pass for another address on screen, or null when it cannot: it holds an
 * invisible character (a zero-width space, a bidirectional control, a soft hyphen), or a compatibility
 * character that NFKC folds into another (a fullwidth `ａ`, a ligature, a superscript). `ａdmin@…` and
 * `admin@…` are two accounts that read the same in the console and the audit log. Letters of other
 * scripts are left alone: an address in Cyrillic is an address.
 * @param email an address as a client sent it
 */
export function emailLookAlikeProblem(email: string): string | null {
  if (INVISIBLE.test(email)) return 'must not contain invisible characters (zero-width, direction marks, soft hyphens)';
  if (email.normalize('NFKC') !== email.normalize('NFC')) return 'must not contain fullwidth or other compatibility characters';
  return null;
}

/**
 * class-validator rule for an address a user is about to own (sign-up, email change): refuses one
 * that `emailLookAlikeProblem` finds could pass for another. Not for sign-in: an account that already
 * has such an address must still be able to sign in.
 */
export function IsUnambiguousEmail(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isUnambiguousEmail',
      validator: {
        validate: (value: unknown) => typeof value !== 'string' || emailLookAlikeProblem(value) === null,
        defaultMessage: (args) => `${args?.property ?? 'email'} ${emailLookAlikeProblem(String(args?.value)) ?? 'is ambiguous'}`,
      },
    },
    options,
  );
}
