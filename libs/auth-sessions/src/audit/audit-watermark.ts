/**
 * The sealer's watermark: every audit event with `seq <= watermarkSeq` is sealed or can never
 * appear. Sequence values are drawn before commit and commits land out of order, so a value only
 * becomes safe once every transaction that could still hold it has finished. A candidate (the
 * sequence's last value) is armed after `ARM_DELAY_MS` with the then next transaction id; once the
 * oldest running transaction is past that id, the candidate becomes the watermark.
 */
export interface WatermarkState {
  watermarkSeq: string;
  pendingSeq: string | null;
  pendingSince: Date | null;
  /** The transaction id horizon (xid8 as text) the candidate waits for; null until armed. */
  pendingXmax: string | null;
}

/** What the sealer saw first in its transaction, before looking for events to seal. */
export interface ChainSnapshot {
  /** Oldest transaction id still running (`pg_snapshot_xmin`). */
  xmin: string;
  /** Next transaction id to be assigned (`pg_snapshot_xmax`). */
  xmax: string;
  /** The audit sequence's last drawn value; null when none was ever drawn. */
  lastSeq: string | null;
  now: Date;
}

// Between drawing a seq and getting a transaction id there is one executor step; a candidate waits
// this long before it is armed, so any transaction holding a seq up to it already has an id.
export const ARM_DELAY_MS = 2_000;

/**
 * The next watermark state. `drained` says the sealer sealed every visible event after it took the
 * snapshot; the watermark moves only then, so nothing below it is left unsealed.
 */
export function advanceWatermark(state: WatermarkState, snapshot: ChainSnapshot, drained: boolean): WatermarkState {
  let next = { ...state };
  if (next.pendingSeq !== null && next.pendingXmax !== null && BigInt(snapshot.xmin) >= BigInt(next.pendingXmax)) {
    if (!drained) return next;
    const watermark = BigInt(next.pendingSeq) > BigInt(next.watermarkSeq) ? next.pendingSeq : next.watermarkSeq;
    next = { watermarkSeq: watermark, pendingSeq: null, pendingSince: null, pendingXmax: null };
  }
  if (
    next.pendingSeq !== null &&
    next.pendingXmax === null &&
    next.pendingSince !== null &&
    snapshot.now.getTime() - next.pendingSince.getTime() >= ARM_DELAY_MS
  ) {
    next = { ...next, pendingXmax: snapshot.xmax };
  }
  if (next.pendingSeq === null && snapshot.lastSeq !== null && BigInt(snapshot.lastSeq) > BigInt(next.watermarkSeq)) {
    next = { ...next, pendingSeq: snapshot.lastSeq, pendingSince: snapshot.now, pendingXmax: null };
  }
  return next;
}

/** Whether two states differ (the sealer writes only changes). */
export function watermarkChanged(a: WatermarkState, b: WatermarkState): boolean {
  return (
    a.watermarkSeq !== b.watermarkSeq ||
    a.pendingSeq !== b.pendingSeq ||
    a.pendingXmax !== b.pendingXmax ||
    (a.pendingSince?.getTime() ?? null) !== (b.pendingSince?.getTime() ?? null)
  );
}
