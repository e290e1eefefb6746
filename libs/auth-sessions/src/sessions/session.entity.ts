import { Check, Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { ownBytes } from '../common/own-bytes.js';
import type { SessionEndReason } from '../common/session-end-reason.js';

/** How the session's client authenticates: a browser cookie or a bearer token pair. */
export type SessionKind = 'cookie' | 'bearer';

/**
 * One sign-in on one device. Rows are revoked (ended), not deleted, so the device history keeps them
 * until the retention prune (`sessionRetentionDays`) deletes those ended long ago. The token itself is never stored: only its SHA-256.
 * Every index and constraint the migrations create is declared here too (with its migration name), so
 * a host's `migration:generate` finds nothing to change; the migrations remain the source of truth.
 */
@Entity({ name: 'auth_sessions' })
@Index('auth_sessions_user_active_idx', ['userId', 'createdAt'], { where: 'ended_at IS NULL' })
@Index('auth_sessions_user_ended_idx', ['userId', 'endedAt'], { where: 'ended_at IS NOT NULL' })
@Index('auth_sessions_open_expiry_idx', ['absoluteExpiresAt'], { where: 'ended_at IS NULL' })
@Check('auth_sessions_end_consistent', '(ended_at IS NULL) = (end_reason IS NULL)')
@Index('auth_sessions_sso_sid_idx', ['ssoIssuer', 'ssoSid'], { where: 'sso_sid IS NOT NULL AND ended_at IS NULL' })
@Index('auth_sessions_sso_subject_idx', ['ssoIssuer', 'ssoSubject'], { where: 'sso_issuer IS NOT NULL AND ended_at IS NULL' })
// The admin overview's daily sign-ins and sign-outs (AddSessionLocationAndOverviewIndexes1767657600000).
@Index('auth_sessions_created_at_idx', ['createdAt'])
// (ended_at) INCLUDE (end_reason) WHERE ended_at IS NOT NULL: TypeORM cannot express INCLUDE, so the index is
// declared unsynchronized: migration:generate and synchronize leave the migration's index alone.
@Index('auth_sessions_ended_at_idx', { synchronize: false })
export class Session {
  @PrimaryColumn('uuid')
  id!: string;

  @Column('uuid', { name: 'user_id' })
  userId!: string;

  @Column('varchar', { length: 16 })
  kind!: SessionKind;

  @Index('auth_sessions_token_hash_key', { unique: true })
  // Its own 32 bytes, not a window on the driver's Buffer pool: the session cache keeps sessions for long.
  @Column('bytea', { name: 'token_hash', transformer: ownBytes })
  tokenHash!: Buffer;

  @Column('boolean', { name: 'remember_me', default: false })
  rememberMe!: boolean;

  @Column('text', { name: 'user_agent', default: '' })
  userAgent!: string;

  @Column('varchar', { length: 64, default: '' })
  browser!: string;

  @Column('varchar', { length: 64, default: '' })
  os!: string;

  @Column('varchar', { name: 'device_type', length: 16, default: 'desktop' })
  deviceType!: string;

  @Column('varchar', { length: 64, default: '' })
  ip!: string;

  /** A coarse place for `ip`, looked up once at sign-in (see the `places` option); null when unknown. */
  @Column('varchar', { length: 160, nullable: true })
  location!: string | null;

  @Column('timestamptz', { name: 'created_at' })
  createdAt!: Date;

  /** Written at most once a minute per session (kept out of every index so the write stays HOT). */
  @Column('timestamptz', { name: 'last_active_at' })
  lastActiveAt!: Date;

  @Column('integer', { name: 'idle_seconds' })
  idleSeconds!: number;

  @Column('timestamptz', { name: 'absolute_expires_at' })
  absoluteExpiresAt!: Date;

  /** When the user last proved a credential in this session (sign-in or reauth); step-up reads it. */
  @Column('timestamptz', { name: 'fresh_at' })
  freshAt!: Date;

  /** Bumped whenever the session's secrets rotate; access tokens carry it, so older ones stop working. */
  @Column('integer', { default: 0 })
  generation!: number;

  /** The user's session epoch when the session was opened; a later epoch ends it. */
  @Column('integer', { default: 0 })
  epoch!: number;

  @Column('timestamptz', { name: 'ended_at', nullable: true })
  endedAt!: Date | null;

  @Column('varchar', { name: 'end_reason', length: 32, nullable: true })
  endReason!: SessionEndReason | null;

  @Column('uuid', { name: 'ended_by_id', nullable: true })
  endedById!: string | null;

  @Column('varchar', { name: 'ended_by_email', length: 320, nullable: true })
  endedByEmail!: string | null;

  /** The OpenID Provider the user signed in through (single sign-on); null for other sign-ins. */
  @Column('varchar', { name: 'sso_issuer', length: 2048, nullable: true })
  ssoIssuer!: string | null;

  /** The provider's `sub` of the user, for back-channel logout and Shared Signals by subject. */
  @Column('varchar', { name: 'sso_subject', length: 255, nullable: true })
  ssoSubject!: string | null;

  /** The provider's session id (`sid` of the ID token), for back-channel logout by session. */
  @Column('varchar', { name: 'sso_sid', length: 255, nullable: true })
  ssoSid!: string | null;
}
