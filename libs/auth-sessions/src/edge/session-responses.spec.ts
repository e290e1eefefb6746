import { cookieMaxAgeSeconds } from './session-responses.js';

describe('cookieMaxAgeSeconds', () => {
  const LIFETIME_SECONDS = 2_592_000;
  const openedAt = Date.UTC(2026, 11, 4, 12, 0, 0);
  const session = { rememberMe: true, absoluteExpiresAt: new Date(openedAt + LIFETIME_SECONDS * 1000) };

  it('should give no Max-Age to a session without rememberMe (a browser-session cookie)', () => {
    expect(cookieMaxAgeSeconds({ ...session, rememberMe: false }, openedAt)).toBeNull();
  });

  it('should give a session opened a moment ago its whole absolute lifetime', () => {
    expect([0, 3, 250, 999].map((elapsedMs) => cookieMaxAgeSeconds(session, openedAt + elapsedMs))).toEqual([
      LIFETIME_SECONDS,
      LIFETIME_SECONDS,
      LIFETIME_SECONDS,
      LIFETIME_SECONDS,
    ]);
  });

  it('should give a rotated session the time it has left, never less', () => {
    expect(cookieMaxAgeSeconds(session, openedAt + 86_400_000)).toBe(LIFETIME_SECONDS - 86_400);
    expect(cookieMaxAgeSeconds(session, openedAt + 86_400_001)).toBe(LIFETIME_SECONDS - 86_400);
    expect(cookieMaxAgeSeconds(session, openedAt + 86_401_000)).toBe(LIFETIME_SECONDS - 86_401);
  });

  it('should expire the cookie of a session past its lifetime at once', () => {
    expect(cookieMaxAgeSeconds(session, session.absoluteExpiresAt.getTime())).toBe(0);
    expect(cookieMaxAgeSeconds(session, session.absoluteExpiresAt.getTime() + 5000)).toBe(0);
  });
});
