import type { MigrationInterface, QueryRunner } from 'typeorm';
import { inDataSourceSchema } from './in-data-source-schema.js';

/** A query runner that records what a migration sends, with or without a transaction open. */
function recordingRunner(schema: string | undefined, transactionOpen: boolean) {
  const sent: string[] = [];
  const runner = {
    connection: { options: { type: 'postgres', ...(schema ? { schema } : {}) } },
    isTransactionActive: transactionOpen,
    async startTransaction() {
      sent.push('BEGIN');
      runner.isTransactionActive = true;
    },
    async commitTransaction() {
      sent.push('COMMIT');
      runner.isTransactionActive = false;
    },
    async rollbackTransaction() {
      sent.push('ROLLBACK');
      runner.isTransactionActive = false;
    },
    async query(sql: string, parameters: unknown[] = []) {
      sent.push(parameters.length > 0 ? `${sql} ${JSON.stringify(parameters)}` : sql);
      return sql.includes("current_setting('search_path')") ? [{ search_path: '"$user", public' }] : [];
    },
  };
  return { runner: runner as unknown as QueryRunner, sent };
}

class CreatesATable implements MigrationInterface {
  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('CREATE TABLE auth_example (id int)');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE auth_example');
  }
}

class Fails implements MigrationInterface {
  async up(): Promise<void> {
    throw new Error('migration failed');
  }

  async down(): Promise<void> {}
}

describe('inDataSourceSchema', () => {
  it('should keep the class name TypeORM records the migration under', () => {
    expect(inDataSourceSchema(CreatesATable).name).toBe('CreatesATable');
  });

  it('should run the migration unchanged without a schema option', async () => {
    const { runner, sent } = recordingRunner(undefined, false);
    await new (inDataSourceSchema(CreatesATable))().up(runner);
    expect(sent).toEqual(['CREATE TABLE auth_example (id int)']);
  });

  it("should set search_path for the host's transaction only, and put the previous one back (migrationsTransactionMode 'all' or 'each')", async () => {
    const { runner, sent } = recordingRunner('auth', true);
    await new (inDataSourceSchema(CreatesATable))().up(runner);
    expect(sent).toEqual([
      "SELECT current_setting('search_path') AS search_path",
      `SELECT set_config('search_path', $1, true) ["\\"auth\\""]`,
      'CREATE TABLE auth_example (id int)',
      `SELECT set_config('search_path', $1, true) ["\\"$user\\", public"]`,
    ]);
  });

  it("should open a transaction of its own with migrationsTransactionMode 'none', never a session-level setting a pooler would leak", async () => {
    const { runner, sent } = recordingRunner('auth', false);
    await new (inDataSourceSchema(CreatesATable))().down(runner);
    expect(sent[0]).toBe('BEGIN');
    expect(sent).toContain('DROP TABLE auth_example');
    expect(sent[sent.length - 1]).toBe('COMMIT');
    expect(sent.filter((sql) => sql.includes('set_config')).every((sql) => sql.includes('$1, true)'))).toBe(true);
    expect(runner.isTransactionActive).toBe(false);
  });

  it('should roll its own transaction back when the migration fails', async () => {
    const { runner, sent } = recordingRunner('auth', false);
    await expect(new (inDataSourceSchema(Fails))().up(runner)).rejects.toThrow('migration failed');
    expect(sent[0]).toBe('BEGIN');
    expect(sent[sent.length - 1]).toBe('ROLLBACK');
  });
});
