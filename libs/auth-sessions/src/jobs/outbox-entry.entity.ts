import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** A job recorded in the same transaction as the change that needs it; the relay hands it to BullMQ. */
@Entity({ name: 'auth_outbox' })
@Index('auth_outbox_pending_idx', ['createdAt'], { where: 'relayed_at IS NULL' })
export class OutboxEntry {
  @PrimaryColumn('uuid')
  id!: string;

  @Column('varchar', { name: 'job_name', length: 64 })
  jobName!: string;

  /** Deterministic BullMQ job id: relaying twice adds the job once. */
  @Index('auth_outbox_job_id_key', { unique: true })
  @Column('varchar', { name: 'job_id', length: 200 })
  jobId!: string;

  @Column('jsonb')
  payload!: Record<string, unknown>;

  @Column('timestamptz', { name: 'created_at' })
  createdAt!: Date;

  @Column('timestamptz', { name: 'relayed_at', nullable: true })
  relayedAt!: Date | null;

  @Column('integer', { default: 0 })
  attempts!: number;

  @Column('text', { name: 'last_error', nullable: true })
  lastError!: string | null;
}
