import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import type { AuditEventType } from './audit-event-type.js';

/**
 * One audit record. Append-only: never updated, deleted only by the retention prune.
 * Never holds a password or a token value, not even a hash.
 */
@Entity({ name: 'auth_audit_events' })
@Index('auth_audit_events_user_seq_idx', ['userId', 'seq'])
@Index('auth_audit_events_type_seq_idx', ['type', 'seq'])
@Index('auth_audit_events_at_brin', ['at'], { type: 'brin' })
export class AuditEvent {
  @PrimaryColumn('uuid')
  id!: string;

  /** Insertion order (an identity column the database fills); keyset pagination and the hash chain follow it. */
  @Index('auth_audit_events_seq_key', { unique: true })
  @Column({ type: 'bigint', generated: 'identity', generatedIdentity: 'ALWAYS', insert: false, update: false })
  seq!: string;

  @Column('varchar', { length: 40 })
  type!: AuditEventType;

  @Column('timestamptz')
  at!: Date;

  @Column('uuid', { name: 'actor_id', nullable: true })
  actorId!: string | null;

  @Column('varchar', { name: 'actor_email', length: 320, nullable: true })
  actorEmail!: string | null;

  @Column('uuid', { name: 'user_id', nullable: true })
  userId!: string | null;

  @Column('uuid', { name: 'session_id', nullable: true })
  sessionId!: string | null;

  @Column('varchar', { length: 64, nullable: true })
  ip!: string | null;

  @Column('text', { name: 'user_agent', nullable: true })
  userAgent!: string | null;

  @Column('varchar', { length: 32, nullable: true })
  reason!: string | null;

  @Column('text', { nullable: true })
  note!: string | null;

  @Column('jsonb', { default: {} })
  metadata!: Record<string, unknown>;

  @Column('varchar', { name: 'request_id', length: 64, nullable: true })
  requestId!: string | null;
}
