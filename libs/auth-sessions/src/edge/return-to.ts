// Backslashes, control characters and scheme-relative forms (`//x`, `/\x`) are how open redirects slip through.
// eslint-disable-next-line no-control-regex -- finding control characters is what this pattern is for
const UNSAFE = /[\\\u0000-\u001f\u007f]/;

/**
 * Returns `returnTo` when it is a relative path on this origin, else `fallback`.
 * @param returnTo what the client asked for
 * @param publicOrigin the app's origin
 * @param fallback the configured redirect
 */
export function safeReturnTo(returnTo: unknown, publicOrigin: string, fallback: string): string {
  if (typeof returnTo !== 'string' || returnTo.length === 0 || returnTo.length > 2048) return fallback;
  if (!returnTo.startsWith('/') || returnTo.startsWith('//') || UNSAFE.test(returnTo)) return fallback;
  let decoded: string;
  try {
    decoded = decodeURIComponent(returnTo);
  } catch {
    return fallback;
  }
  if (decoded.startsWith('//') || UNSAFE.test(decoded)) return fallback;
  const url = new URL(returnTo, publicOrigin);
  if (url.origin !== publicOrigin) return fallback;
  const path = `${url.pathname}${url.search}${url.hash}`;
  // Dot segments can normalise '/..//evil.example' into a scheme-relative '//evil.example'.
  if (path.startsWith('//') || path.startsWith('/\\')) return fallback;
  return path;
}
