import { createHash } from 'node:crypto';

/** The advisory lock held by whoever writes the chain (the sealer, the prune). The migration repeats it. */
export const AUDIT_CHAIN_LOCK_KEY = '7312048812233002';

/** The hash before the first link of a chain that was never pruned. */
export const GENESIS_HASH = Buffer.alloc(32);

/**
 * An audit event as the chain hashes it: every column as PostgreSQL renders it to text, so a change
 * of a single microsecond or metadata key changes the hash. `null` stays distinct from ''.
 */
export interface ChainedEventText {
  id: string;
  seq: string;
  type: string;
  /** `at` in UTC with microseconds: 2026-01-02T03:04:05.123456Z. */
  at: string;
  actorId: string | null;
  actorEmail: string | null;
  userId: string | null;
  sessionId: string | null;
  ip: string | null;
  userAgent: string | null;
  reason: string | null;
  note: string | null;
  /** `metadata::text` (jsonb renders its keys in one canonical order). */
  metadata: string;
  requestId: string | null;
}

/** The end of a chain: the last position and its hash (position 0 with the genesis hash when empty). */
export interface ChainHead {
  position: string;
  hash: Buffer;
}

/** A seal as stored, with its event when the event still exists. */
export interface StoredSeal {
  position: string;
  seq: string;
  eventId: string;
  hash: Buffer;
  event: ChainedEventText | null;
}

/** The first thing wrong with a chain. */
export interface ChainProblem {
  kind: 'tampered' | 'deleted' | 'inserted';
  /** The chain position, when the problem is in the sealed chain. */
  position: string | null;
  seq: string;
  eventId: string;
  message: string;
}

/** The exact bytes hashed for one link: its position and every column of its event. */
export function canonicalLink(position: string, event: ChainedEventText): string {
  return JSON.stringify([
    position,
    event.id,
    event.seq,
    event.type,
    event.at,
    event.actorId,
    event.actorEmail,
    event.userId,
    event.sessionId,
    event.ip,
    event.userAgent,
    event.reason,
    event.note,
    event.metadata,
    event.requestId,
  ]);
}

/** SHA-256 over the previous link's hash and this link's canonical text. */
export function linkHash(previous: Buffer, position: string, event: ChainedEventText): Buffer {
  return createHash('sha256').update(previous).update(canonicalLink(position, event), 'utf8').digest();
}

/** The next link after `head` for `event`. */
export function nextLink(head: ChainHead, event: ChainedEventText): ChainHead {
  const position = (BigInt(head.position) + 1n).toString();
  return { position, hash: linkHash(head.hash, position, event) };
}

/**
 * Checks consecutive stored seals against the head before them. Returns the new head, or the first
 * problem: a gap in positions or a missing event (deleted), or an event whose text or id no longer
 * matches its seal (tampered).
 */
export function checkLinks(head: ChainHead, seals: StoredSeal[]): { head: ChainHead; checked: number; problem: ChainProblem | null } {
  let current = head;
  for (const [checked, seal] of seals.entries()) {
    const expectedPosition = (BigInt(current.position) + 1n).toString();
    if (seal.position !== expectedPosition) {
      return {
        head: current,
        checked,
        problem: {
          kind: 'deleted',
          position: expectedPosition,
          seq: seal.seq,
          eventId: seal.eventId,
          message: `the chain jumps from position ${current.position} to ${seal.position}: seals were deleted before seq ${seal.seq}`,
        },
      };
    }
    if (!seal.event) {
      return {
        head: current,
        checked,
        problem: {
          kind: 'deleted',
          position: seal.position,
          seq: seal.seq,
          eventId: seal.eventId,
          message: `event seq ${seal.seq} (id ${seal.eventId}, chain position ${seal.position}) was deleted`,
        },
      };
    }
    const hash = linkHash(current.hash, seal.position, seal.event);
    if (seal.event.id !== seal.eventId || !hash.equals(seal.hash)) {
      return {
        head: current,
        checked,
        problem: {
          kind: 'tampered',
          position: seal.position,
          seq: seal.seq,
          eventId: seal.eventId,
          message: `event seq ${seal.seq} (id ${seal.eventId}, chain position ${seal.position}) was changed after it was sealed`,
        },
      };
    }
    current = { position: seal.position, hash };
  }
  return { head: current, checked: seals.length, problem: null };
}
