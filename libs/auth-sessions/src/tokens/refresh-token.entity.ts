import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * One refresh token of a bearer session. Single use: refreshing marks it used and inserts its
 * successor (`parentId` points back). Only the SHA-256 of the token is stored.
 */
@Entity({ name: 'auth_refresh_tokens' })
export class RefreshToken {
  @PrimaryColumn('uuid')
  id!: string;

  @Column('uuid', { name: 'session_id' })
  sessionId!: string;

  @Column('bytea', { name: 'token_hash' })
  tokenHash!: Buffer;

  @Column('uuid', { name: 'parent_id', nullable: true })
  parentId!: string | null;

  @Column('timestamptz', { name: 'created_at' })
  createdAt!: Date;

  @Column('timestamptz', { name: 'used_at', nullable: true })
  usedAt!: Date | null;

  @Column('timestamptz', { name: 'revoked_at', nullable: true })
  revokedAt!: Date | null;
}
