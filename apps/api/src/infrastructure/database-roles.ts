import pg from 'pg';
import type { DataSource } from 'typeorm';

/** The audit log's tables: the runtime role may add rows and read them, never change or remove one. */
export const AUDIT_TABLES = ['auth_audit_events', 'auth_audit_seals', 'auth_audit_checkpoints'] as const;

/** The role a postgres:// URL connects as. */
export function roleOf(url: string): string {
  return decodeURIComponent(new URL(url).username);
}

/**
 * Gives the runtime role (DATABASE_URL's) what the app needs and nothing more, on every table the
 * migrations created so far; run by the owner right after migrating, so a new table is covered on the
 * next start. Idempotent, in one transaction (no moment where the runtime role holds more).
 * - Every table: SELECT, INSERT, UPDATE, DELETE; no TRUNCATE, REFERENCES or TRIGGER, no ownership,
 *   no CREATE on the schema: no DDL.
 * - The audit tables: INSERT and SELECT only (the checkpoints SELECT only: a checkpoint is the prune,
 *   which runs through `auth_audit_prune(days)`, SECURITY DEFINER, EXECUTE granted here).
 * - The migrations table: SELECT only.
 */
export async function grantRuntimePrivileges(owner: DataSource, runtimeRole: string): Promise<void> {
  const role = pg.escapeIdentifier(runtimeRole);
  const audit = AUDIT_TABLES.join(', ');
  const migrationsTable = pg.escapeIdentifier(String(owner.options.migrationsTableName ?? 'migrations'));
  await owner.transaction(async (manager) => {
    const [{ schema }] = await manager.query<Array<{ schema: string }>>('SELECT current_schema() AS schema');
    const inSchema = pg.escapeIdentifier(schema);
    for (const sql of [
      `GRANT USAGE ON SCHEMA ${inSchema} TO ${role}`,
      `REVOKE CREATE ON SCHEMA ${inSchema} FROM ${role}`,
      `REVOKE ALL ON ALL TABLES IN SCHEMA ${inSchema} FROM ${role}`,
      `GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA ${inSchema} TO ${role}`,
      `REVOKE UPDATE, DELETE ON ${audit} FROM ${role}`,
      `REVOKE INSERT ON auth_audit_checkpoints FROM ${role}`,
      `REVOKE INSERT, UPDATE, DELETE ON ${migrationsTable} FROM ${role}`,
      `GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA ${inSchema} TO ${role}`,
      `GRANT EXECUTE ON FUNCTION auth_audit_prune(integer) TO ${role}`,
    ]) {
      await manager.query(sql);
    }
  });
}

/** The two roles of a least-privilege deployment and the database they share. */
export interface RolePlan {
  database: string;
  owner: { name: string; password: string | null };
  runtime: { name: string; password: string | null };
}

/** Reads the plan from MIGRATION_DATABASE_URL (owner) and DATABASE_URL (runtime). */
export function rolePlan(migrationUrl: string, runtimeUrl: string): RolePlan {
  const owner = new URL(migrationUrl);
  const runtime = new URL(runtimeUrl);
  return {
    database: decodeURIComponent(owner.pathname.slice(1)),
    owner: { name: decodeURIComponent(owner.username), password: owner.password ? decodeURIComponent(owner.password) : null },
    runtime: { name: decodeURIComponent(runtime.username), password: runtime.password ? decodeURIComponent(runtime.password) : null },
  };
}

/**
 * The SQL a superuser (or a role with CREATEROLE and CREATEDB) runs once: both roles, the database
 * owned by the owner role, and nobody else allowed in. Statements that CREATE DATABASE cannot run in a
 * transaction, so each is separate; `database: true` ones run connected to the new database.
 * With `passwords: false` the passwords are left as psql variables (`:'owner_password'`), for printing.
 */
export interface SetupStatement {
  sql: string;
  /** Runs connected to the new database rather than to the server's maintenance database. */
  inDatabase: boolean;
  /** Skipped when this role or database already exists. */
  unlessExists?: { role: string } | { database: string };
}

export function roleSetupStatements(plan: RolePlan, options: { passwords: boolean }): SetupStatement[] {
  const password = (who: 'owner' | 'runtime') => {
    const value = plan[who].password;
    if (!options.passwords) return ` PASSWORD :'${who}_password'`;
    return value === null ? '' : ` PASSWORD ${pg.escapeLiteral(value)}`;
  };
  const owner = pg.escapeIdentifier(plan.owner.name);
  const runtime = pg.escapeIdentifier(plan.runtime.name);
  const database = pg.escapeIdentifier(plan.database);
  return [
    { sql: `CREATE ROLE ${owner} LOGIN${password('owner')}`, inDatabase: false, unlessExists: { role: plan.owner.name } },
    // NOINHERIT and no membership anywhere: the runtime role has exactly the grants it is given.
    { sql: `CREATE ROLE ${runtime} LOGIN NOINHERIT${password('runtime')}`, inDatabase: false, unlessExists: { role: plan.runtime.name } },
    { sql: `CREATE DATABASE ${database} OWNER ${owner}`, inDatabase: false, unlessExists: { database: plan.database } },
    { sql: `REVOKE ALL ON DATABASE ${database} FROM PUBLIC`, inDatabase: false },
    { sql: `GRANT CONNECT, TEMPORARY ON DATABASE ${database} TO ${runtime}`, inDatabase: false },
    { sql: `GRANT ALL ON DATABASE ${database} TO ${owner}`, inDatabase: false },
    // PostgreSQL 14 and older let every role create objects in `public`; 15+ leaves it to the database owner.
    { sql: `ALTER SCHEMA public OWNER TO ${owner}`, inDatabase: true },
    { sql: `REVOKE CREATE ON SCHEMA public FROM PUBLIC`, inDatabase: true },
  ];
}
