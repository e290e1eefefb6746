import { Column, Entity, JoinColumn, OneToOne, PrimaryColumn } from 'typeorm';
import { Session } from '../sessions/session.entity.js';

/**
 * The `id_token_hint` RP-initiated logout sends for an SSO session: the session's ID token,
 * encrypted (SealedBox), kept apart from `auth_sessions` so the hot session rows stay small, and
 * deleted once the session ends through logout or the provider.
 */
@Entity({ name: 'auth_sso_logout_hints' })
export class SsoLogoutHint {
  @PrimaryColumn('uuid', { name: 'session_id', primaryKeyConstraintName: 'auth_sso_logout_hints_pkey' })
  sessionId!: string;

  @OneToOne(() => Session, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'session_id', foreignKeyConstraintName: 'auth_sso_logout_hints_session_id_fkey' })
  session?: Session;

  /** A compact JWE; never sent anywhere except, decrypted, to the provider's end-session endpoint. */
  @Column('text', { name: 'id_token_hint' })
  idTokenHint!: string;

  @Column('timestamptz', { name: 'created_at' })
  createdAt!: Date;
}
