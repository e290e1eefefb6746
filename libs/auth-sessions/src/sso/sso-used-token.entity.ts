import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** What kind of one-time value a used token id belongs to. */
export type SsoUsedTokenKind = 'logout' | 'set' | 'state';

/**
 * Token ids already used, per issuer and kind (back-channel logout `jti`s, SET `jti`s, sign-in
 * `state`s): inserted in the same transaction as their effect, so a replay is refused on every
 * instance, and a failed attempt does not burn the id. Rows outlive the acceptance window of their
 * token and are then deleted.
 */
@Entity({ name: 'auth_sso_used_tokens' })
@Index('auth_sso_used_tokens_expires_idx', ['expiresAt'])
export class SsoUsedToken {
  @PrimaryColumn('varchar', { length: 2048, primaryKeyConstraintName: 'auth_sso_used_tokens_pkey' })
  issuer!: string;

  @PrimaryColumn('varchar', { length: 16, primaryKeyConstraintName: 'auth_sso_used_tokens_pkey' })
  kind!: SsoUsedTokenKind;

  @PrimaryColumn('varchar', { name: 'token_id', length: 255, primaryKeyConstraintName: 'auth_sso_used_tokens_pkey' })
  tokenId!: string;

  @Column('timestamptz', { name: 'expires_at' })
  expiresAt!: Date;
}
