import { randomBytes, randomUUID } from 'node:crypto';
import { Logger } from '@nestjs/common';
import { normalizeEmail } from '@signoff/auth-sessions';
import { DataSource } from 'typeorm';
import type { AppConfig } from '../config/app-config.js';
import { User } from '../users/user.entity.js';
import { PasswordHasher } from '../users/password-hasher.js';
import { grantRuntimePrivileges, roleOf } from './database-roles.js';
import { dataSourceOptions } from './data-source-options.js';
import { ensureDatabase } from './postgres-server.js';

// Any fixed 64-bit number; every instance of the app agrees on it.
const STARTUP_LOCK_KEY = '7312048812233001';
const logger = new Logger('Startup');

/**
 * Creates the database when missing, then, under a PostgreSQL advisory lock so that instances
 * starting at the same moment take turns: runs pending migrations, creates the ADMIN_EMAIL admin,
 * and generates the development JWT secret once. All of it as the schema's owner:
 * MIGRATION_DATABASE_URL when set, which then also grants the runtime role (`url`, DATABASE_URL)
 * what the app needs and no more (docs/postgres.md); else `url` itself.
 */
export async function prepareDatabase(
  url: string,
  config: Pick<AppConfig, 'migrationDatabaseUrl' | 'adminEmail' | 'adminPassword' | 'jwtSecret' | 'passwordHashing'>,
): Promise<void> {
  const ownerUrl = config.migrationDatabaseUrl ?? url;
  await ensureDatabase(ownerUrl);
  const dataSource = await new DataSource(dataSourceOptions(ownerUrl)).initialize();
  const lock = dataSource.createQueryRunner();
  try {
    await lock.connect();
    await lock.query('SELECT pg_advisory_lock($1)', [STARTUP_LOCK_KEY]);
    const applied = await dataSource.runMigrations({ transaction: 'each' });
    if (applied.length > 0) logger.log(`Applied migrations: ${applied.map((migration) => migration.name).join(', ')}`);
    await bootstrapAdmin(dataSource, config);
    await ensureGeneratedSecret(dataSource, config);
    if (config.migrationDatabaseUrl && roleOf(url) !== roleOf(ownerUrl)) await grantRuntimePrivileges(dataSource, roleOf(url));
  } finally {
    await lock.query('SELECT pg_advisory_unlock($1)', [STARTUP_LOCK_KEY]).catch(() => undefined);
    await lock.release();
    await dataSource.destroy();
  }
}

/** Creates the admin when missing; resets its password only when it no longer verifies, so a restart never logs the admin out. */
async function bootstrapAdmin(dataSource: DataSource, config: Pick<AppConfig, 'adminEmail' | 'adminPassword' | 'passwordHashing'>): Promise<void> {
  if (!config.adminEmail || !config.adminPassword) return;
  const passwords = new PasswordHasher(config.passwordHashing);
  const users = dataSource.getRepository(User);
  const email = normalizeEmail(config.adminEmail);
  const existing = await users.createQueryBuilder('u').where('lower(u.email) = lower(:email)', { email }).getOne();
  const now = new Date();
  if (!existing) {
    await users.insert({
      id: randomUUID(),
      email,
      passwordHash: await passwords.hash(config.adminPassword),
      roles: ['admin'],
      createdAt: now,
      updatedAt: now,
    });
    logger.log(`Created admin ${config.adminEmail}`);
    return;
  }
  const changes: Partial<User> = {};
  if (!existing.roles.includes('admin')) changes.roles = [...existing.roles, 'admin'];
  if (!(await passwords.verify(existing.passwordHash, config.adminPassword))) changes.passwordHash = await passwords.hash(config.adminPassword);
  if (Object.keys(changes).length > 0) await users.update({ id: existing.id }, { ...changes, updatedAt: now });
}

/** Outside production without JWT_SECRET, one secret is generated and stored so every instance shares it. */
async function ensureGeneratedSecret(dataSource: DataSource, config: Pick<AppConfig, 'jwtSecret'>): Promise<void> {
  if (config.jwtSecret) return;
  await dataSource.query(`INSERT INTO auth_secrets (name, value) VALUES ('jwt', $1) ON CONFLICT (name) DO NOTHING`, [randomBytes(48).toString('base64url')]);
}
