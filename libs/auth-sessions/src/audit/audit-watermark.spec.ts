import { advanceWatermark, ARM_DELAY_MS, type ChainSnapshot, type WatermarkState, watermarkChanged } from './audit-watermark.js';

const T0 = new Date('2026-03-01T09:00:00Z');
const at = (ms: number): Date => new Date(T0.getTime() + ms);
const empty: WatermarkState = { watermarkSeq: '0', pendingSeq: null, pendingSince: null, pendingXmax: null };
const snapshot = (overrides: Partial<ChainSnapshot>): ChainSnapshot => ({ xmin: '100', xmax: '105', lastSeq: '10', now: T0, ...overrides });

describe('advanceWatermark', () => {
  describe('when there is no candidate', () => {
    it('should take the sequence value as the candidate', () => {
      expect(advanceWatermark(empty, snapshot({}), true)).toEqual({ watermarkSeq: '0', pendingSeq: '10', pendingSince: T0, pendingXmax: null });
    });

    it('should take none while nothing new was drawn', () => {
      expect(advanceWatermark({ ...empty, watermarkSeq: '10' }, snapshot({}), true)).toEqual({ ...empty, watermarkSeq: '10' });
      expect(advanceWatermark(empty, snapshot({ lastSeq: null }), true)).toEqual(empty);
    });
  });

  describe('when a candidate is waiting', () => {
    const waiting: WatermarkState = { watermarkSeq: '0', pendingSeq: '10', pendingSince: T0, pendingXmax: null };

    it('should not arm it before the delay, so a seq drawn just before has its transaction id', () => {
      expect(advanceWatermark(waiting, snapshot({ now: at(ARM_DELAY_MS - 1) }), true)).toEqual(waiting);
    });

    it('should arm it with the then next transaction id after the delay', () => {
      expect(advanceWatermark(waiting, snapshot({ now: at(ARM_DELAY_MS), xmax: '230' }), true)).toEqual({ ...waiting, pendingXmax: '230' });
    });
  });

  describe('when a candidate is armed', () => {
    const armed: WatermarkState = { watermarkSeq: '0', pendingSeq: '10', pendingSince: T0, pendingXmax: '230' };

    it('should wait while a transaction older than the horizon still runs', () => {
      expect(advanceWatermark(armed, snapshot({ xmin: '229', now: at(5000) }), true)).toEqual(armed);
    });

    it('should move the watermark once every such transaction finished and everything visible is sealed, then take a new candidate', () => {
      const next = advanceWatermark(armed, snapshot({ xmin: '230', lastSeq: '25', now: at(5000) }), true);
      expect(next).toEqual({ watermarkSeq: '10', pendingSeq: '25', pendingSince: at(5000), pendingXmax: null });
    });

    it('should not move it while a backlog is still unsealed', () => {
      expect(advanceWatermark(armed, snapshot({ xmin: '300', now: at(5000) }), false)).toEqual(armed);
    });

    it('should never move it backwards', () => {
      const behind = { ...armed, watermarkSeq: '50' };
      expect(advanceWatermark(behind, snapshot({ xmin: '300', lastSeq: '50', now: at(5000) }), true).watermarkSeq).toBe('50');
    });
  });
});

describe('watermarkChanged', () => {
  it('should compare every field, times by value', () => {
    const state: WatermarkState = { watermarkSeq: '1', pendingSeq: '2', pendingSince: T0, pendingXmax: null };
    expect(watermarkChanged(state, { ...state, pendingSince: new Date(T0.getTime()) })).toBe(false);
    expect(watermarkChanged(state, { ...state, pendingXmax: '9' })).toBe(true);
  });
});
