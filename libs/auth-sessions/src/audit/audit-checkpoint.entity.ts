import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

/**
 * The chain at a retention cut: events up to `position` were deleted and `hash` is the link there,
 * so `audit:verify` can start from it. Written only by the prune's trigger; never updated or deleted.
 */
@Entity({ name: 'auth_audit_checkpoints' })
export class AuditCheckpoint {
  @PrimaryGeneratedColumn('identity', { type: 'bigint', generatedIdentity: 'ALWAYS' })
  id!: string;

  @Column('timestamptz', { name: 'created_at', default: () => 'now()' })
  createdAt!: Date;

  @Column('timestamptz', { name: 'cut_off' })
  cutOff!: Date;

  @Column('bigint')
  position!: string;

  @Column('bytea')
  hash!: Buffer;

  @Column('bigint', { name: 'deleted_events' })
  deletedEvents!: string;
}
