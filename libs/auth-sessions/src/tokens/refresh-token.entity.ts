import { Column, Entity, ForeignKey, Index, PrimaryColumn } from 'typeorm';
import { Session } from '../sessions/session.entity.js';

/**
 * One refresh token of a bearer session. Single use: refreshing marks it used and inserts its
 * successor (`parentId` points back). Only the SHA-256 of the token is stored.
 */
@Entity({ name: 'auth_refresh_tokens' })
@Index('auth_refresh_tokens_session_idx', ['sessionId'], { where: 'revoked_at IS NULL' })
// Every token of a session, for the prune of ended sessions and its foreign-key checks (SignoffIndexRefreshTokensBySession1767830400000).
@Index('auth_refresh_tokens_session_id_idx', ['sessionId'])
export class RefreshToken {
  @PrimaryColumn('uuid')
  id!: string;

  @ForeignKey(() => Session, { name: 'auth_refresh_tokens_session_id_fkey' })
  @Column('uuid', { name: 'session_id' })
  sessionId!: string;

  @Index('auth_refresh_tokens_token_hash_key', { unique: true })
  @Column('bytea', { name: 'token_hash' })
  tokenHash!: Buffer;

  @ForeignKey(() => RefreshToken, { name: 'auth_refresh_tokens_parent_id_fkey' })
  @Index('auth_refresh_tokens_parent_key', { unique: true })
  @Column('uuid', { name: 'parent_id', nullable: true })
  parentId!: string | null;

  @Column('timestamptz', { name: 'created_at' })
  createdAt!: Date;

  @Column('timestamptz', { name: 'used_at', nullable: true })
  usedAt!: Date | null;

  @Column('timestamptz', { name: 'revoked_at', nullable: true })
  revokedAt!: Date | null;
}
