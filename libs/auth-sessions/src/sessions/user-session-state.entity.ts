import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { SessionEndReason } from '../common/session-end-reason.js';

/**
 * Per-user session state owned by the library. Bumping `epoch` ends every older session of the
 * user at once, before any job has marked the rows (credential changes rely on this).
 */
@Entity({ name: 'auth_user_session_state' })
export class UserSessionState {
  @PrimaryColumn('uuid', { name: 'user_id' })
  userId!: string;

  @Column('integer', { default: 0 })
  epoch!: number;

  /** Why the epoch last moved; the 401 of a session ended by the bump carries it. */
  @Column('varchar', { name: 'epoch_reason', length: 32, nullable: true })
  epochReason!: SessionEndReason | null;

  @Column('timestamptz', { name: 'updated_at' })
  updatedAt!: Date;
}
