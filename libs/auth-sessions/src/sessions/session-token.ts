import { createHash, createHmac, hash, randomBytes, timingSafeEqual } from 'node:crypto';

const TOKEN_BYTES = 32;
const TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;

/** A new opaque session token: 256 random bits from the CSPRNG, base64url. */
export function generateSessionToken(): string {
  return randomBytes(TOKEN_BYTES).toString('base64url');
}

/** The only form in which a token is stored: its SHA-256. */
export function hashSessionToken(token: string): Buffer {
  return Buffer.from(sessionTokenDigest(token), 'base64url');
}

/**
 * The SHA-256 of a token as base64url text: the instance cache's key (see `hashSessionToken`).
 * The one-shot hash into a string costs about a fifth of `createHash()` or of a Buffer digest for a
 * token-sized input, and it runs on every cookie request.
 */
export function sessionTokenDigest(token: string): string {
  return hash('sha256', token, 'base64url');
}

/** Whether the value has the shape of a token we issue; anything else never reaches the database. */
export function isWellFormedSessionToken(value: unknown): value is string {
  return typeof value === 'string' && TOKEN_PATTERN.test(value);
}

/** The XSRF value bound to a session token: it changes whenever the token does. */
export function xsrfTokenFor(sessionToken: string): string {
  return createHmac('sha256', sessionToken).update('signoff:xsrf').digest('base64url');
}

/** Constant-time equality of two strings of any length (compares their SHA-256 digests). */
export function constantTimeEquals(a: string, b: string): boolean {
  const left = createHash('sha256').update(a, 'utf8').digest();
  const right = createHash('sha256').update(b, 'utf8').digest();
  return timingSafeEqual(left, right) && a.length === b.length;
}

/** Constant-time equality of two stored hashes. */
export function hashesEqual(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}
