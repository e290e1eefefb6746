import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** The host's own users: the library never reads this table, only `UsersService` (its `AuthUsersProvider`). */
@Entity({ name: 'users' })
@Index('users_email_key', { synchronize: false })
export class User {
  @PrimaryColumn('uuid')
  id!: string;

  @Column('varchar', { length: 320 })
  email!: string;

  @Index('users_username_key', { unique: true })
  @Column('varchar', { length: 64 })
  username!: string;

  @Column('text', { name: 'password_hash', select: false })
  passwordHash!: string;

  @Column('text', { array: true, default: () => "'{}'" })
  roles!: string[];

  @Column('timestamptz', { name: 'created_at', default: () => 'now()' })
  createdAt!: Date;
}
