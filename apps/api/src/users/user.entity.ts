import { Column, Entity, PrimaryColumn } from 'typeorm';

/** The demo app's users. The library never reads this table: it goes through UsersService. */
@Entity({ name: 'users' })
export class User {
  @PrimaryColumn('uuid')
  id!: string;

  /** Unique case-insensitively (index on lower(email)). */
  @Column('varchar', { length: 320 })
  email!: string;

  /** argon2id; null for a user created by a single sign-on, who has no password here. */
  @Column('text', { name: 'password_hash', nullable: true })
  passwordHash!: string | null;

  @Column('text', { array: true, default: () => "'{}'" })
  roles!: string[];

  @Column('timestamptz', { name: 'created_at' })
  createdAt!: Date;

  @Column('timestamptz', { name: 'updated_at' })
  updatedAt!: Date;
}
