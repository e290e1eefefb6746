import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * One link of the audit hash chain: an event's place and the SHA-256 up to it. Written by the sealer
 * shortly after the event commits; insert-only (a trigger refuses updates and deletes outside the prune).
 */
@Entity({ name: 'auth_audit_seals' })
export class AuditSeal {
  @PrimaryColumn('bigint')
  position!: string;

  @Index('auth_audit_seals_seq_key', { unique: true })
  @Column('bigint')
  seq!: string;

  @Column('uuid', { name: 'event_id' })
  eventId!: string;

  @Column('bytea')
  hash!: Buffer;

  @Column('timestamptz', { name: 'sealed_at', default: () => 'now()' })
  sealedAt!: Date;
}
