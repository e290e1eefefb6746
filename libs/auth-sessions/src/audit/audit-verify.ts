import type { DataSource } from 'typeorm';
import { type ChainHead, type ChainProblem, checkLinks, GENESIS_HASH } from './audit-chain.js';
import { AuditChainRepository } from './audit-chain.repository.js';

const VERIFY_BATCH = 2_000;

/** What `verifyAuditChain` found. */
export interface AuditChainReport {
  /** Whether the sealed chain is intact and no event was inserted behind the sealer. */
  ok: boolean;
  /** Where checking started: the latest prune checkpoint, or null from the genesis. */
  checkpoint: { position: string; hash: string; cutOff: string } | null;
  /** How many sealed events were checked. */
  checked: number;
  /** The last link checked; record it elsewhere to notice a rewrite of the seal table itself. */
  head: { position: string; hash: string };
  /** Committed events the sealer has not reached yet (normal for a few seconds after a write). */
  unsealed: number;
  /** The first tampered, deleted or inserted event; null when `ok`. */
  problem: ChainProblem | null;
}

/**
 * Checks the audit log's hash chain from the last prune checkpoint, in one consistent snapshot:
 * every sealed event must still exist and hash to its seal, positions must have no gaps, and no event
 * may sit below the sealer's watermark without a seal. Reads only.
 * @param dataSource an initialised TypeORM DataSource on the Signoff database.
 * @returns the report; `ok` is false with the first problem found.
 * @see README.md "Admin API and audit log" (the Signoff repository's README)
 */
export async function verifyAuditChain(dataSource: DataSource): Promise<AuditChainReport> {
  const chain = new AuditChainRepository(dataSource);
  return chain.transaction(async (manager) => {
    const checkpoint = await chain.latestCheckpoint(manager);
    const watermark = await chain.readWatermark(manager, false);
    let head: ChainHead = checkpoint ? { position: checkpoint.position, hash: checkpoint.hash } : { position: '0', hash: GENESIS_HASH };
    let checked = 0;
    let problem: ChainProblem | null = null;
    for (;;) {
      const seals = await chain.findSealsAfter(head.position, VERIFY_BATCH, manager);
      if (seals.length === 0) break;
      const result = checkLinks(head, seals);
      head = result.head;
      checked += result.checked;
      problem = result.problem;
      if (problem || seals.length < VERIFY_BATCH) break;
    }
    if (!problem) {
      const inserted = await chain.findFirstInserted(watermark.watermarkSeq, manager);
      if (inserted) {
        problem = {
          kind: 'inserted',
          position: null,
          seq: inserted.seq,
          eventId: inserted.id,
          message: `event seq ${inserted.seq} (id ${inserted.id}) has no seal although the sealer passed it: it was inserted afterwards`,
        };
      }
    }
    return {
      ok: problem === null,
      checkpoint: checkpoint ? { position: checkpoint.position, hash: checkpoint.hash.toString('hex'), cutOff: checkpoint.cutOff.toISOString() } : null,
      checked,
      head: { position: head.position, hash: head.hash.toString('hex') },
      unsealed: await chain.countUnsealed(manager),
      problem,
    };
  }, 'REPEATABLE READ');
}
