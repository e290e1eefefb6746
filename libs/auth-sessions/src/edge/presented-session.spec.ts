import { BadRequestException } from '@nestjs/common';
import type { Session } from '../sessions/session.entity.js';
import { requestAuth } from '../sessions/request-auth.js';
import { generateSessionToken } from '../sessions/session-token.js';
import type { AuthenticationResult } from '../sessions/sessions.service.js';
import { cookieValues } from './http-edge.js';
import { AMBIGUOUS_SESSIONS, MAX_SESSION_COOKIES, presentedSessions, resolvePresentedSession } from './presented-session.js';

const USER = { id: 'u1', email: 'ada@example.com', roles: [] };

function live(id: string): AuthenticationResult {
  return { ok: true, session: { id } as Session, user: USER, expiresAt: new Date() };
}

function store(entries: Record<string, AuthenticationResult>) {
  const looked: string[] = [];
  const authenticate = async (token: string): Promise<AuthenticationResult> => {
    looked.push(token);
    return entries[token] ?? { ok: false, code: 'unauthenticated' };
  };
  return { authenticate, looked };
}

describe('cookieValues', () => {
  it('should return every value of the exact name, in order, decoded', () => {
    expect(cookieValues('sid=garbage; theme=dark; sid=real%20one; SID=upper; __Host-sid=x', 'sid')).toEqual(['garbage', 'real one']);
  });

  it('should ignore pairs without =', () => {
    expect(cookieValues('flag; sid=abc; sid', 'sid')).toEqual(['abc']);
  });

  it('should find nothing in an absent or empty header', () => {
    expect(cookieValues(undefined, 'sid')).toEqual([]);
    expect(cookieValues('', 'sid')).toEqual([]);
  });
});

describe('resolvePresentedSession', () => {
  const real = generateSessionToken();
  const other = generateSessionToken();
  const planted = generateSessionToken();

  describe('when there is no session cookie', () => {
    it('should present none', async () => {
      expect(await resolvePresentedSession([], store({}).authenticate)).toEqual({ kind: 'none' });
    });
  });

  describe('when a garbage cookie comes first and the real session second (cookie tossing)', () => {
    it('should present the real, live session', async () => {
      const { authenticate, looked } = store({ [real]: live('s-real') });

      const presented = await resolvePresentedSession(['garbage', real], authenticate);

      expect(presented).toMatchObject({ kind: 'one', token: real, result: { ok: true } });
      // A value that is not a token never reaches the store.
      expect(looked).toEqual([real]);
    });
  });

  describe('when a well-formed but unknown token comes first', () => {
    it('should still present the live session', async () => {
      const presented = await resolvePresentedSession([planted, real], store({ [real]: live('s-real') }).authenticate);

      expect(presented).toMatchObject({ kind: 'one', token: real });
    });
  });

  describe('when no presented session is live', () => {
    it('should report the most telling failure (ended before unknown)', async () => {
      const ended: AuthenticationResult = { ok: false, code: 'session_ended', reason: 'logout' };

      const presented = await resolvePresentedSession([planted, real], store({ [real]: ended }).authenticate);

      expect(presented).toEqual({ kind: 'one', token: real, result: ended });
    });

    it('should report a single garbage value as it is', async () => {
      expect(await resolvePresentedSession(['garbage'], store({}).authenticate)).toMatchObject({ kind: 'one', token: 'garbage', result: { ok: false } });
    });
  });

  describe('when two cookies name two different live sessions', () => {
    it('should refuse to choose: ambiguous, with both', async () => {
      const presented = await resolvePresentedSession([planted, real], store({ [real]: live('s-real'), [planted]: live('s-attacker') }).authenticate);

      expect(presented.kind).toBe('ambiguous');
      expect(presented.kind === 'ambiguous' && presented.live.map((entry) => entry.result.session.id)).toEqual(['s-attacker', 's-real']);
    });
  });

  describe('when the same token is sent twice', () => {
    it('should look it up once and present it', async () => {
      const { authenticate, looked } = store({ [real]: live('s-real') });

      expect(await resolvePresentedSession([real, real], authenticate)).toMatchObject({ kind: 'one', token: real });
      expect(looked).toEqual([real]);
    });
  });

  describe(`when more than ${MAX_SESSION_COOKIES} different tokens are sent`, () => {
    it('should answer 400 without looking any up', async () => {
      const { authenticate, looked } = store({ [real]: live('s-real') });
      const tokens = [...Array.from({ length: MAX_SESSION_COOKIES }, () => generateSessionToken()), real];

      await expect(resolvePresentedSession(tokens, authenticate)).rejects.toThrow(BadRequestException);
      expect(looked).toEqual([]);
    });

    it(`should still look up ${MAX_SESSION_COOKIES}`, async () => {
      const tokens = [...Array.from({ length: MAX_SESSION_COOKIES - 1 }, () => generateSessionToken()), other];

      await expect(resolvePresentedSession(tokens, store({ [other]: live('s') }).authenticate)).resolves.toMatchObject({ kind: 'one', token: other });
    });
  });
});

describe('presentedSessions', () => {
  it("should be the request's own auth, else the ambiguous sessions, else none", () => {
    const auth = requestAuth({ id: 'a' } as Session, USER, 'cookie', new Date());
    const others = [auth, { ...auth, session: { id: 'b' } as Session }];

    expect(presentedSessions({ headers: {}, auth })).toEqual([auth]);
    // Something else's value under the same name (express-jwt's claims) presents no session.
    expect(presentedSessions({ headers: {}, auth: { ...auth } })).toEqual([auth]);
    expect(presentedSessions({ headers: {}, auth: { session: { id: 'a' } as Session, user: USER, method: 'cookie', expiresAt: new Date() } })).toEqual([]);
    expect(presentedSessions({ headers: {}, [AMBIGUOUS_SESSIONS]: others })).toEqual(others);
    expect(presentedSessions({ headers: {} })).toEqual([]);
  });
});
