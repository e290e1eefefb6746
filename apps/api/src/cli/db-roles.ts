import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import pg from 'pg';
import { checkMigrationDatabaseUrl, ConfigError } from '../config/app-config.js';
import { roleSetupStatements, rolePlan } from '../infrastructure/database-roles.js';
import { exitOnStartupFailure } from '../infrastructure/process-lifecycle.js';

const logger = new Logger('DatabaseRoles');

/**
 * `npm run db:roles`: creates the two roles of a least-privilege deployment and their database,
 * once, as a PostgreSQL superuser (POSTGRES_ADMIN_URL). The owner role (MIGRATION_DATABASE_URL) owns
 * the database and runs migrations; the runtime role (DATABASE_URL) may only connect: the app grants
 * it its table privileges after each migration run. Roles or a database that already exist are left
 * as they are. `npm run db:roles -- --print` prints the SQL instead, for a DBA to run with psql.
 * @see docs/postgres.md
 */
async function main(): Promise<void> {
  const runtimeUrl = process.env['DATABASE_URL'] || null;
  const ownerUrl = checkMigrationDatabaseUrl(process.env['MIGRATION_DATABASE_URL'] || null, runtimeUrl);
  if (!runtimeUrl || !ownerUrl) {
    throw new ConfigError('db:roles needs DATABASE_URL (the runtime role) and MIGRATION_DATABASE_URL (the owner role), on the same database');
  }
  const plan = rolePlan(ownerUrl, runtimeUrl);
  if (plan.owner.name === plan.runtime.name) throw new ConfigError('DATABASE_URL and MIGRATION_DATABASE_URL name the same role: nothing to separate');

  if (process.argv.includes('--print')) {
    const lines = [
      `-- Run as a superuser: psql -v owner_password='…' -v runtime_password='…' -f roles.sql`,
      ...roleSetupStatements(plan, { passwords: false }).map(({ sql, inDatabase }) => (inDatabase ? `\\connect ${plan.database}\n${sql};` : `${sql};`)),
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
    return;
  }

  const adminUrl = process.env['POSTGRES_ADMIN_URL'];
  if (!adminUrl) {
    throw new ConfigError(
      'POSTGRES_ADMIN_URL is required: a superuser (or a role with CREATEROLE and CREATEDB) that creates the roles. Or print the SQL: npm run db:roles -- --print',
    );
  }
  const inDatabase = Object.assign(new URL(adminUrl), { pathname: `/${encodeURIComponent(plan.database)}` }).toString();
  const server = new pg.Client({ connectionString: adminUrl, connectionTimeoutMillis: 5000 });
  await server.connect();
  let database: pg.Client | undefined;
  try {
    const runtime = await server.query<{ rolsuper: boolean; rolbypassrls: boolean; rolcreaterole: boolean; rolcreatedb: boolean }>(
      'SELECT rolsuper, rolbypassrls, rolcreaterole, rolcreatedb FROM pg_roles WHERE rolname = $1',
      [plan.runtime.name],
    );
    const flags = runtime.rows[0];
    if (flags && (flags.rolsuper || flags.rolbypassrls || flags.rolcreaterole || flags.rolcreatedb)) {
      throw new ConfigError(
        `The runtime role ${plan.runtime.name} exists with SUPERUSER, BYPASSRLS, CREATEROLE or CREATEDB: table privileges cannot restrict it. Use a plain LOGIN role.`,
      );
    }
    for (const statement of roleSetupStatements(plan, { passwords: true })) {
      const skip = statement.unlessExists;
      if (skip && 'role' in skip && (await server.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [skip.role])).rowCount) {
        logger.log(`Role ${skip.role} exists: left as it is`);
        continue;
      }
      if (skip && 'database' in skip && (await server.query('SELECT 1 FROM pg_database WHERE datname = $1', [skip.database])).rowCount) {
        logger.log(`Database ${skip.database} exists: left as it is`);
        continue;
      }
      if (statement.inDatabase && !database) {
        database = new pg.Client({ connectionString: inDatabase, connectionTimeoutMillis: 5000 });
        await database.connect();
      }
      await (statement.inDatabase ? database! : server).query(statement.sql);
    }
  } finally {
    await database?.end();
    await server.end();
  }
  logger.log(`Roles ready: ${plan.owner.name} owns ${plan.database} and runs migrations; ${plan.runtime.name} gets its grants when the app migrates`);
}

main().catch(exitOnStartupFailure(logger));
