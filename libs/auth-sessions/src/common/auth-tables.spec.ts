import type { DataSource } from 'typeorm';
import { assertSupportedDataSource, AuthTables, DEFAULT_AUTH_TABLES } from './auth-tables.js';

const dataSource = (options: Record<string, unknown>) => ({ options }) as unknown as DataSource;

describe('AuthTables', () => {
  it('should leave names unqualified without a schema, for the connection search_path', () => {
    expect(AuthTables.of(dataSource({ type: 'postgres' })).sessions).toBe('auth_sessions');
    expect(DEFAULT_AUTH_TABLES.qualify('auth_audit_prune')).toBe('auth_audit_prune');
  });

  it("should qualify every table and function with the DataSource's schema, quoted", () => {
    const tables = AuthTables.of(dataSource({ type: 'postgres', schema: 'Tenant "A"' }));
    expect(tables.sessions).toBe('"Tenant ""A""".auth_sessions');
    expect(tables.auditSealState).toBe('"Tenant ""A""".auth_audit_seal_state');
    expect(tables.qualify('auth_audit_prune')).toBe('"Tenant ""A""".auth_audit_prune');
  });
});

describe('assertSupportedDataSource', () => {
  it('should accept a plain PostgreSQL DataSource, with or without a schema', () => {
    expect(() => assertSupportedDataSource(dataSource({ type: 'postgres' }))).not.toThrow();
    expect(() => assertSupportedDataSource(dataSource({ type: 'postgres', schema: 'auth' }))).not.toThrow();
  });

  it.each([
    [{ type: 'mysql' }, /needs a PostgreSQL DataSource/],
    [{ type: 'postgres', entityPrefix: 'app_' }, /`entityPrefix` \('app_'\) is not supported/],
    [{ type: 'postgres', synchronize: true }, /`synchronize` is not supported/],
  ])('should refuse %p with a message that says what to do', (options, message) => {
    expect(() => assertSupportedDataSource(dataSource(options))).toThrow(message);
  });
});
