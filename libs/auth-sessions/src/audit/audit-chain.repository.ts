import { Injectable } from '@nestjs/common';
import type { DataSource, EntityManager } from 'typeorm';
import { AuthTables } from '../common/auth-tables.js';
import { AUDIT_CHAIN_LOCK_KEY, type ChainedEventText, type ChainHead, GENESIS_HASH, type StoredSeal } from './audit-chain.js';
import type { ChainSnapshot, WatermarkState } from './audit-watermark.js';
import { InjectAuthDataSource } from '../common/auth-data-source.js';

// Every column as text, exactly as the chain hashes it (microseconds and jsonb's canonical key order kept).
const EVENT_TEXT_COLUMNS = `
  e.id::text AS e_id, e.seq::text AS e_seq, e.type AS e_type,
  to_char(e.at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS e_at,
  e.actor_id::text AS e_actor_id, e.actor_email AS e_actor_email, e.user_id::text AS e_user_id,
  e.session_id::text AS e_session_id, e.ip AS e_ip, e.user_agent AS e_user_agent, e.reason AS e_reason,
  e.note AS e_note, e.metadata::text AS e_metadata, e.request_id AS e_request_id`;

/** A seal to write: the event's place in the chain and the hash up to it. */
export interface NewSeal {
  position: string;
  seq: string;
  eventId: string;
  hash: Buffer;
}

/** The latest prune checkpoint: where the remaining chain starts. */
export interface Checkpoint {
  position: string;
  hash: Buffer;
  cutOff: Date;
  createdAt: Date;
}

/** The only place with SQL for the audit chain: seals, the sealer's watermark, checkpoints and the prune. */
@Injectable()
export class AuditChainRepository {
  private readonly tables: AuthTables;

  constructor(@InjectAuthDataSource() private readonly dataSource: DataSource) {
    this.tables = AuthTables.of(dataSource);
  }

  /** Runs `work` in one transaction at the given isolation level. */
  transaction<T>(work: (manager: EntityManager) => Promise<T>, isolation: 'READ COMMITTED' | 'REPEATABLE READ' = 'READ COMMITTED'): Promise<T> {
    return this.dataSource.transaction(isolation, work);
  }

  /** Takes the chain writer's lock for this transaction; false (without waiting) when another writer has it. */
  async tryLock(manager: EntityManager): Promise<boolean> {
    const rows: Array<{ locked: boolean }> = await manager.query('SELECT pg_try_advisory_xact_lock($1::bigint) AS locked', [AUDIT_CHAIN_LOCK_KEY]);
    return rows[0]?.locked === true;
  }

  /** Transaction ids and the audit sequence's last value, as of this statement. */
  async snapshot(manager: EntityManager): Promise<ChainSnapshot> {
    const rows: Array<{ xmin: string; xmax: string; last_seq: string | null; now: Date }> = await manager.query(
      `SELECT pg_snapshot_xmin(pg_current_snapshot())::text AS xmin,
              pg_snapshot_xmax(pg_current_snapshot())::text AS xmax,
              pg_sequence_last_value(pg_get_serial_sequence($1, 'seq')::regclass)::text AS last_seq,
              clock_timestamp() AS now`,
      [this.tables.auditEvents],
    );
    const row = rows[0];
    return { xmin: row.xmin, xmax: row.xmax, lastSeq: row.last_seq, now: new Date(row.now) };
  }

  /** The sealer's state, locked for update. */
  async readWatermark(manager: EntityManager, forUpdate = true): Promise<WatermarkState> {
    const rows: Array<Record<string, unknown>> = await manager.query(
      `SELECT watermark_seq::text, pending_seq::text, pending_since, pending_xmax::text
         FROM ${this.tables.auditSealState} WHERE id = 1 ${forUpdate ? 'FOR UPDATE' : ''}`,
    );
    const row = rows[0];
    if (!row) throw new Error('auth_audit_seal_state is empty: run the AddAuditChain1767398400000 migration.');
    return {
      watermarkSeq: String(row['watermark_seq']),
      pendingSeq: (row['pending_seq'] as string | null) ?? null,
      pendingSince: row['pending_since'] ? new Date(row['pending_since'] as string) : null,
      pendingXmax: (row['pending_xmax'] as string | null) ?? null,
    };
  }

  /** Stores the sealer's state. */
  async writeWatermark(state: WatermarkState, manager: EntityManager): Promise<void> {
    await manager.query(
      `UPDATE ${this.tables.auditSealState}
          SET watermark_seq = $1::bigint, pending_seq = $2::bigint, pending_since = $3, pending_xmax = $4::xid8, updated_at = now()
        WHERE id = 1`,
      [state.watermarkSeq, state.pendingSeq, state.pendingSince, state.pendingXmax],
    );
  }

  /** The last link: the newest seal, else the latest checkpoint, else the genesis (position 0). */
  async head(manager: EntityManager): Promise<ChainHead> {
    const seals: Array<{ position: string; hash: Buffer }> = await manager.query(
      // Ordered by the bigint column, not by the text alias of the same name.
      `SELECT s.position::text AS position, s.hash FROM ${this.tables.auditSeals} s ORDER BY s.position DESC LIMIT 1`,
    );
    if (seals[0]) return { position: seals[0].position, hash: seals[0].hash };
    const checkpoint = await this.latestCheckpoint(manager);
    return checkpoint ? { position: checkpoint.position, hash: checkpoint.hash } : { position: '0', hash: GENESIS_HASH };
  }

  /** The latest prune checkpoint; null when the log was never pruned. */
  async latestCheckpoint(manager: EntityManager): Promise<Checkpoint | null> {
    const rows: Array<{ position: string; hash: Buffer; cut_off: Date; created_at: Date }> = await manager.query(
      `SELECT position::text, hash, cut_off, created_at FROM ${this.tables.auditCheckpoints} ORDER BY id DESC LIMIT 1`,
    );
    const row = rows[0];
    return row ? { position: row.position, hash: row.hash, cutOff: new Date(row.cut_off), createdAt: new Date(row.created_at) } : null;
  }

  /** Up to `limit` committed events above the watermark that have no seal yet, oldest seq first. */
  async findUnsealed(watermarkSeq: string, limit: number, manager: EntityManager): Promise<ChainedEventText[]> {
    const rows: Array<Record<string, string | null>> = await manager.query(
      `SELECT ${EVENT_TEXT_COLUMNS}
         FROM ${this.tables.auditEvents} e
        WHERE e.seq > $1::bigint AND NOT EXISTS (SELECT 1 FROM ${this.tables.auditSeals} s WHERE s.seq = e.seq)
        ORDER BY e.seq
        LIMIT $2`,
      [watermarkSeq, limit],
    );
    return rows.map(eventText);
  }

  /** Writes seals; a seq or position sealed twice fails the whole transaction. */
  async insertSeals(seals: NewSeal[], manager: EntityManager): Promise<void> {
    if (seals.length === 0) return;
    const values: unknown[] = [];
    const tuples = seals.map((seal, index) => {
      values.push(seal.position, seal.seq, seal.eventId, seal.hash);
      const base = index * 4;
      return `($${base + 1}::bigint, $${base + 2}::bigint, $${base + 3}::uuid, $${base + 4}::bytea)`;
    });
    await manager.query(`INSERT INTO ${this.tables.auditSeals} (position, seq, event_id, hash) VALUES ${tuples.join(', ')}`, values);
  }

  /** Seals after `afterPosition`, in chain order, each with its event's text (null when the event is gone). */
  async findSealsAfter(afterPosition: string, limit: number, manager: EntityManager): Promise<StoredSeal[]> {
    const rows: Array<Record<string, unknown>> = await manager.query(
      `SELECT s.position::text AS s_position, s.seq::text AS s_seq, s.event_id::text AS s_event_id, s.hash AS s_hash, ${EVENT_TEXT_COLUMNS}
         FROM ${this.tables.auditSeals} s LEFT JOIN ${this.tables.auditEvents} e ON e.seq = s.seq
        WHERE s.position > $1::bigint
        ORDER BY s.position
        LIMIT $2`,
      [afterPosition, limit],
    );
    return rows.map((row) => ({
      position: String(row['s_position']),
      seq: String(row['s_seq']),
      eventId: String(row['s_event_id']),
      hash: row['s_hash'] as Buffer,
      event: row['e_id'] === null ? null : eventText(row as Record<string, string | null>),
    }));
  }

  /** The oldest event at or below the watermark without a seal: it was inserted behind the sealer. Null when none. */
  async findFirstInserted(watermarkSeq: string, manager: EntityManager): Promise<{ seq: string; id: string } | null> {
    const rows: Array<{ seq: string; id: string }> = await manager.query(
      `SELECT e.seq::text AS seq, e.id::text AS id
         FROM ${this.tables.auditEvents} e
        WHERE e.seq <= $1::bigint AND NOT EXISTS (SELECT 1 FROM ${this.tables.auditSeals} s WHERE s.seq = e.seq)
        ORDER BY e.seq
        LIMIT 1`,
      [watermarkSeq],
    );
    return rows[0] ?? null;
  }

  /** How many committed events above the watermark are not sealed yet. */
  async countUnsealed(manager: EntityManager = this.dataSource.manager): Promise<number> {
    const rows: Array<{ count: string }> = await manager.query(
      `SELECT count(*)::text AS count
         FROM ${this.tables.auditEvents} e
        WHERE e.seq > (SELECT watermark_seq FROM ${this.tables.auditSealState} WHERE id = 1)
          AND NOT EXISTS (SELECT 1 FROM ${this.tables.auditSeals} s WHERE s.seq = e.seq)`,
    );
    return Number(rows[0]?.count ?? 0);
  }

  /**
   * Runs the database's retention prune: deletes the oldest sealed events older than `retentionDays`,
   * records a checkpoint and an `audit_pruned` event. Returns how many events it deleted (0: nothing was due).
   */
  async prune(retentionDays: number): Promise<number> {
    const rows: Array<{ deleted: string }> = await this.dataSource.query(`SELECT ${this.tables.qualify('auth_audit_prune')}($1)::text AS deleted`, [
      retentionDays,
    ]);
    return Number(rows[0]?.deleted ?? 0);
  }
}

function eventText(row: Record<string, string | null>): ChainedEventText {
  return {
    id: row['e_id']!,
    seq: row['e_seq']!,
    type: row['e_type']!,
    at: row['e_at']!,
    actorId: row['e_actor_id'] ?? null,
    actorEmail: row['e_actor_email'] ?? null,
    userId: row['e_user_id'] ?? null,
    sessionId: row['e_session_id'] ?? null,
    ip: row['e_ip'] ?? null,
    userAgent: row['e_user_agent'] ?? null,
    reason: row['e_reason'] ?? null,
    note: row['e_note'] ?? null,
    metadata: row['e_metadata'] ?? '{}',
    requestId: row['e_request_id'] ?? null,
  };
}
