import { randomBytes } from 'node:crypto';

/** The placeholder in the built index.html (`ngCspNonce`, and the nonce attributes Angular's build adds). */
export const NONCE_PLACEHOLDER = '__CSP_NONCE__';

/** 128 random bits, base64: a fresh one for every index.html response. */
export function createNonce(): string {
  return randomBytes(16).toString('base64');
}

/**
 * The console's Content-Security-Policy. Scripts, fonts and styles come only from this origin; the inline
 * `<style>` elements Angular and Material add at run time are allowed by the per-response nonce, never by
 * 'unsafe-inline'. frame-ancestors 'none' stops clickjacking of the revoke buttons (CSRF-07).
 */
export function contentSecurityPolicy(nonce: string): string {
  return [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}'`,
    `style-src 'self' 'nonce-${nonce}'`,
    "font-src 'self'",
    "img-src 'self' data:",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/** Headers on every console response (the document and its files). */
export function securityHeaders(nonce: string): Record<string, string> {
  return {
    'Content-Security-Policy': contentSecurityPolicy(nonce),
    'X-Content-Type-Options': 'nosniff',
    // For browsers without frame-ancestors.
    'X-Frame-Options': 'DENY',
    'Referrer-Policy': 'same-origin',
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Permissions-Policy': 'camera=(), microphone=(), geolocation=(), payment=()',
  };
}

// Angular's build names its outputs `<name>-<8 character hash>.<ext>`; those never change, so they may be cached for a year.
// The chunks' hashes are base64url, `-` included (`chunk-DcIw0-_O.js`).
const HASHED_FILE = /-[A-Za-z0-9_-]{8}\.(?:js|mjs|css|woff2?|ttf|otf|svg|png|jpe?g|gif|webp|ico|map)$/;

/** Cache-Control for a file of the built console (never index.html, which is `no-store`). */
export function assetCacheControl(relativePath: string): string {
  return HASHED_FILE.test(relativePath) ? 'public, max-age=31536000, immutable' : 'no-cache';
}

/** Paths the API owns: the console never answers them, not even with its SPA fallback. */
export function isServerPath(pathname: string): boolean {
  return ['/api', '/metrics'].some((prefix) => pathname === prefix || pathname.startsWith(`${prefix}/`));
}

/** Whether a path that matches no file is a client-side route (served index.html) rather than a missing file. */
export function isClientRoute(pathname: string): boolean {
  const last = pathname.slice(pathname.lastIndexOf('/') + 1);
  return !last.includes('.');
}
