import { Session } from './session.entity.js';
import { expiresAtOf, sessionStateAt, type UserEpoch } from './session-state.js';

const SIGNED_IN_AT = new Date('2026-01-01T10:00:00.000Z');
const IDLE_SECONDS = 1800;
const ABSOLUTE_SECONDS = 43200;

function sessionWith(overrides: Partial<Session> = {}): Session {
  const row: Partial<Session> = {
    id: '4b1c2c9e-7a0f-4c59-9b55-0d9f6b1f0a11',
    userId: '0b7d5a52-8a40-4bde-a0a7-7b2cf1d3c6f2',
    kind: 'cookie',
    tokenHash: Buffer.alloc(32),
    rememberMe: false,
    userAgent: '',
    browser: '',
    os: '',
    deviceType: 'desktop',
    ip: '127.0.0.1',
    createdAt: SIGNED_IN_AT,
    lastActiveAt: SIGNED_IN_AT,
    idleSeconds: IDLE_SECONDS,
    absoluteExpiresAt: new Date(SIGNED_IN_AT.getTime() + ABSOLUTE_SECONDS * 1000),
    freshAt: SIGNED_IN_AT,
    epoch: 0,
    endedAt: null,
    endReason: null,
    endedById: null,
    endedByEmail: null,
  };
  return Object.assign(new Session(), row, overrides);
}

const NO_EPOCH: UserEpoch = { epoch: 0, reason: null, changedAt: null };

function secondsAfter(date: Date, seconds: number): Date {
  return new Date(date.getTime() + seconds * 1000);
}

describe('sessionStateAt', () => {
  describe('when the session is within both lifetimes', () => {
    it('should be active and expire at the idle deadline', () => {
      const lastActiveAt = secondsAfter(SIGNED_IN_AT, 600);
      const state = sessionStateAt(sessionWith({ lastActiveAt }), NO_EPOCH, secondsAfter(lastActiveAt, 10));

      expect(state).toEqual({ status: 'active', expiresAt: secondsAfter(lastActiveAt, IDLE_SECONDS) });
    });

    it('should expire at the absolute deadline when that comes before the idle one', () => {
      const session = sessionWith({ lastActiveAt: secondsAfter(SIGNED_IN_AT, ABSOLUTE_SECONDS - 60) });
      const state = sessionStateAt(session, NO_EPOCH, secondsAfter(SIGNED_IN_AT, ABSOLUTE_SECONDS - 30));

      expect(state).toEqual({ status: 'active', expiresAt: session.absoluteExpiresAt });
    });
  });

  describe('when the idle deadline is reached', () => {
    it('should still be active one millisecond before the deadline', () => {
      const deadline = secondsAfter(SIGNED_IN_AT, IDLE_SECONDS);

      expect(sessionStateAt(sessionWith(), NO_EPOCH, new Date(deadline.getTime() - 1)).status).toBe('active');
    });

    it('should be expired_idle exactly at the deadline, ended at the deadline', () => {
      const deadline = secondsAfter(SIGNED_IN_AT, IDLE_SECONDS);

      expect(sessionStateAt(sessionWith(), NO_EPOCH, deadline)).toEqual({ status: 'expired', reason: 'expired_idle', endedAt: deadline });
    });
  });

  describe('when the absolute deadline is reached while the session is in use', () => {
    it('should be expired_absolute, ended at the absolute deadline', () => {
      const session = sessionWith({ lastActiveAt: secondsAfter(SIGNED_IN_AT, ABSOLUTE_SECONDS - 5) });

      expect(sessionStateAt(session, NO_EPOCH, session.absoluteExpiresAt)).toEqual({
        status: 'expired',
        reason: 'expired_absolute',
        endedAt: session.absoluteExpiresAt,
      });
    });
  });

  describe('when both deadlines have passed', () => {
    it('should report expired_idle when the idle deadline came first', () => {
      const farLater = secondsAfter(SIGNED_IN_AT, ABSOLUTE_SECONDS * 3);

      expect(sessionStateAt(sessionWith(), NO_EPOCH, farLater)).toEqual({
        status: 'expired',
        reason: 'expired_idle',
        endedAt: secondsAfter(SIGNED_IN_AT, IDLE_SECONDS),
      });
    });

    it('should report expired_absolute when the absolute deadline came first', () => {
      const session = sessionWith({ lastActiveAt: secondsAfter(SIGNED_IN_AT, ABSOLUTE_SECONDS - 60) });
      const farLater = secondsAfter(SIGNED_IN_AT, ABSOLUTE_SECONDS * 3);

      expect(sessionStateAt(session, NO_EPOCH, farLater)).toEqual({
        status: 'expired',
        reason: 'expired_absolute',
        endedAt: session.absoluteExpiresAt,
      });
    });

    it('should report expired_absolute when both deadlines are the same instant, as the expiry sweep does', () => {
      const session = sessionWith({ lastActiveAt: secondsAfter(SIGNED_IN_AT, ABSOLUTE_SECONDS - IDLE_SECONDS) });

      expect(sessionStateAt(session, NO_EPOCH, secondsAfter(SIGNED_IN_AT, ABSOLUTE_SECONDS + 1))).toMatchObject({
        status: 'expired',
        reason: 'expired_absolute',
      });
    });
  });

  describe('when the row has already been ended', () => {
    it('should be ended with the reason and time written on the row, whatever the clock says', () => {
      const endedAt = secondsAfter(SIGNED_IN_AT, 60);
      const session = sessionWith({ endedAt, endReason: 'revoked_by_admin' });

      expect(sessionStateAt(session, NO_EPOCH, secondsAfter(SIGNED_IN_AT, 120))).toEqual({
        status: 'ended',
        reason: 'revoked_by_admin',
        endedAt,
      });
    });

    it('should keep the row reason even when the user epoch has moved on since', () => {
      const endedAt = secondsAfter(SIGNED_IN_AT, 60);
      const session = sessionWith({ endedAt, endReason: 'logout' });
      const bumped: UserEpoch = { epoch: 3, reason: 'password_change', changedAt: secondsAfter(SIGNED_IN_AT, 90) };

      expect(sessionStateAt(session, bumped, secondsAfter(SIGNED_IN_AT, 120))).toEqual({ status: 'ended', reason: 'logout', endedAt });
    });

    // The 401 for an expired session is `session_expired` whether or not the sweep job has marked the row yet.
    it.each([
      ['expired_idle', {}],
      ['expired_absolute', { lastActiveAt: secondsAfter(SIGNED_IN_AT, ABSOLUTE_SECONDS - 60) }],
    ] as const)('should read a row the expiry sweep marked %s exactly as before the sweep', (reason, overrides) => {
      const now = secondsAfter(SIGNED_IN_AT, ABSOLUTE_SECONDS * 2);
      const beforeSweep = sessionStateAt(sessionWith(overrides), NO_EPOCH, now);
      const swept = sessionWith({ ...overrides, endedAt: beforeSweep.status === 'active' ? null : beforeSweep.endedAt, endReason: reason });

      expect(beforeSweep).toMatchObject({ status: 'expired', reason });
      expect(sessionStateAt(swept, NO_EPOCH, now)).toEqual(beforeSweep);
    });
  });

  describe('when the session was opened under an older user epoch', () => {
    it('should be ended with the epoch reason at the time the epoch changed', () => {
      const changedAt = secondsAfter(SIGNED_IN_AT, 300);
      const epoch: UserEpoch = { epoch: 2, reason: 'password_change', changedAt };

      expect(sessionStateAt(sessionWith({ epoch: 1 }), epoch, secondsAfter(SIGNED_IN_AT, 400))).toEqual({
        status: 'ended',
        reason: 'password_change',
        endedAt: changedAt,
      });
    });

    it('should default to logout_everywhere, ended now, when the epoch has no reason or time', () => {
      const now = secondsAfter(SIGNED_IN_AT, 400);

      expect(sessionStateAt(sessionWith({ epoch: 0 }), { epoch: 1, reason: null, changedAt: null }, now)).toEqual({
        status: 'ended',
        reason: 'logout_everywhere',
        endedAt: now,
      });
    });
  });

  describe('when the session epoch equals the user epoch', () => {
    it('should be active', () => {
      const epoch: UserEpoch = { epoch: 4, reason: 'email_change', changedAt: SIGNED_IN_AT };

      expect(sessionStateAt(sessionWith({ epoch: 4 }), epoch, secondsAfter(SIGNED_IN_AT, 10)).status).toBe('active');
    });
  });
});

describe('expiresAtOf', () => {
  describe('when the idle deadline is earlier', () => {
    it('should return the idle deadline', () => {
      const lastActiveAt = secondsAfter(SIGNED_IN_AT, 100);

      expect(expiresAtOf(sessionWith({ lastActiveAt }))).toEqual(secondsAfter(lastActiveAt, IDLE_SECONDS));
    });
  });

  describe('when the absolute deadline is earlier', () => {
    it('should return the absolute deadline', () => {
      const session = sessionWith({ lastActiveAt: secondsAfter(SIGNED_IN_AT, ABSOLUTE_SECONDS - 1) });

      expect(expiresAtOf(session)).toEqual(session.absoluteExpiresAt);
    });
  });
});
