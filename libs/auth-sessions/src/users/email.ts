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
