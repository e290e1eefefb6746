import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** A provider's subject linked to a host user: later sign-ins through that provider find the user by it. */
@Entity({ name: 'auth_sso_links' })
@Index('auth_sso_links_issuer_user_key', ['issuer', 'userId'], { unique: true })
@Index('auth_sso_links_user_idx', ['userId'])
export class SsoLink {
  @PrimaryColumn('varchar', { length: 2048, primaryKeyConstraintName: 'auth_sso_links_pkey' })
  issuer!: string;

  @PrimaryColumn('varchar', { length: 255, primaryKeyConstraintName: 'auth_sso_links_pkey' })
  subject!: string;

  @Column('uuid', { name: 'user_id' })
  userId!: string;

  @Column('timestamptz', { name: 'created_at' })
  createdAt!: Date;

  @Column('timestamptz', { name: 'last_login_at' })
  lastLoginAt!: Date;
}
