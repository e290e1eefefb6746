import 'reflect-metadata';
import { AUTH_SESSIONS_ENTITIES, AUTH_SESSIONS_MIGRATIONS } from '@signoff/auth-sessions';
import { DataSource } from 'typeorm';
import { CreateUsers1767657600000 } from './migrations/1767657600000-create-users.js';
import { User } from './users/user.entity.js';

/** For the TypeORM CLI (`npm run migration:run`, `typeorm migration:generate`): the same entities and migrations as the app. */
export default new DataSource({
  type: 'postgres',
  url: process.env['DATABASE_URL'],
  entities: [...AUTH_SESSIONS_ENTITIES, User],
  migrations: [...AUTH_SESSIONS_MIGRATIONS, CreateUsers1767657600000],
});
