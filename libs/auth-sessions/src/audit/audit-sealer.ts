import { Injectable } from '@nestjs/common';
import { nextLink } from './audit-chain.js';
import { AuditChainRepository, type NewSeal } from './audit-chain.repository.js';
import { advanceWatermark, watermarkChanged } from './audit-watermark.js';

const BATCH_SIZE = 500;
// A backlog (the sealer was down) is worked off over several runs rather than in one long transaction.
const MAX_BATCHES_PER_RUN = 20;

/** What one sealer run did. */
export interface SealResult {
  sealed: number;
  /** Whether another sealer held the lock, so this run did nothing. */
  skipped: boolean;
}

/**
 * Gives committed audit events their place in the hash chain. Events are inserted unchained on the
 * request path; this runs as a scheduled job, one sealer at a time (advisory lock), and writes the
 * hashes into the insert-only seal table.
 */
@Injectable()
export class AuditSealer {
  constructor(private readonly chain: AuditChainRepository) {}

  /** Seals every committed, unsealed event (up to 10,000 per run) and moves the watermark. */
  sealPending(): Promise<SealResult> {
    return this.chain.transaction(async (manager) => {
      if (!(await this.chain.tryLock(manager))) return { sealed: 0, skipped: true };
      // Taken before looking for events: everything it proves finished is visible to the queries below.
      const snapshot = await this.chain.snapshot(manager);
      const state = await this.chain.readWatermark(manager);
      let head = await this.chain.head(manager);
      let sealed = 0;
      let drained = false;
      for (let batch = 0; batch < MAX_BATCHES_PER_RUN; batch++) {
        const events = await this.chain.findUnsealed(state.watermarkSeq, BATCH_SIZE, manager);
        const seals: NewSeal[] = events.map((event) => {
          head = nextLink(head, event);
          return { position: head.position, seq: event.seq, eventId: event.id, hash: head.hash };
        });
        await this.chain.insertSeals(seals, manager);
        sealed += seals.length;
        if (events.length < BATCH_SIZE) {
          drained = true;
          break;
        }
      }
      const next = advanceWatermark(state, snapshot, drained);
      if (watermarkChanged(state, next)) await this.chain.writeWatermark(next, manager);
      return { sealed, skipped: false };
    });
  }
}
