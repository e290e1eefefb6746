import type { DataSource } from 'typeorm';

/**
 * The library's tables and functions as raw SQL must name them: qualified with the DataSource's
 * `schema` when the host sets one (TypeORM qualifies entity queries itself, but not raw SQL), else
 * unqualified, resolved through the connection's `search_path` as before.
 */
export class AuthTables {
  readonly sessions: string;
  readonly userSessionState: string;
  readonly refreshTokens: string;
  readonly outbox: string;
  readonly secrets: string;
  readonly auditEvents: string;
  readonly auditSeals: string;
  readonly auditSealState: string;
  readonly auditCheckpoints: string;

  /** @param schema the schema the tables live in; `undefined` for the connection's `search_path`. */
  constructor(readonly schema?: string) {
    this.sessions = this.qualify('auth_sessions');
    this.userSessionState = this.qualify('auth_user_session_state');
    this.refreshTokens = this.qualify('auth_refresh_tokens');
    this.outbox = this.qualify('auth_outbox');
    this.secrets = this.qualify('auth_secrets');
    this.auditEvents = this.qualify('auth_audit_events');
    this.auditSeals = this.qualify('auth_audit_seals');
    this.auditSealState = this.qualify('auth_audit_seal_state');
    this.auditCheckpoints = this.qualify('auth_audit_checkpoints');
  }

  /** The tables of a DataSource: in its `schema` option when set. */
  static of(dataSource: DataSource): AuthTables {
    return new AuthTables(schemaOption(dataSource));
  }

  /** A table or function name of the library, qualified when a schema is set. */
  qualify(name: string): string {
    return this.schema ? `${quoteIdentifier(this.schema)}.${name}` : name;
  }
}

/** Unqualified names: what a DataSource without a `schema` option resolves through `search_path`. */
export const DEFAULT_AUTH_TABLES = new AuthTables();

/** The DataSource's `schema` option, when it is a PostgreSQL DataSource that sets one. */
export function schemaOption(dataSource: Pick<DataSource, 'options'>): string | undefined {
  const schema = (dataSource.options as { schema?: unknown }).schema;
  return typeof schema === 'string' && schema.length > 0 ? schema : undefined;
}

/** A PostgreSQL identifier in double quotes (embedded quotes doubled). */
export function quoteIdentifier(identifier: string): string {
  return `"${identifier.replace(/"/g, '""')}"`;
}

/**
 * Refuses DataSource settings the library cannot honour, at start-up and with how to fix it, instead
 * of a 500 at the first sign-in.
 */
export function assertSupportedDataSource(dataSource: Pick<DataSource, 'options'>): void {
  const options = dataSource.options as { type?: string; entityPrefix?: string; synchronize?: boolean };
  if (options.type !== 'postgres') {
    throw new Error(`AuthSessionsModule: the library needs a PostgreSQL DataSource (type 'postgres'); this one is '${String(options.type)}'.`);
  }
  if (options.entityPrefix) {
    throw new Error(
      `AuthSessionsModule: TypeORM's \`entityPrefix\` ('${options.entityPrefix}') is not supported: the library's migrations, triggers and SQL use ` +
        'fixed table names (auth_*). Remove entityPrefix, or put the library in its own schema with the DataSource `schema` option instead.',
    );
  }
  if (options.synchronize) {
    throw new Error(
      "AuthSessionsModule: TypeORM's `synchronize` is not supported: it cannot create the library's triggers, functions and " +
        'bookkeeping tables (the audit log would not be append-only). Set synchronize: false and run AUTH_SESSIONS_MIGRATIONS ' +
        '(migrationsRun: true, or the TypeORM CLI).',
    );
  }
}
