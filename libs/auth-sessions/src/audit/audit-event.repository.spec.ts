import type { DataSource } from 'typeorm';
import { AuditEventRepository } from './audit-event.repository.js';

const repositoryIn = (schema?: string) => new AuditEventRepository({ options: { type: 'postgres', ...(schema ? { schema } : {}) } } as unknown as DataSource);

const ROW = {
  type: 'logout' as const,
  at: new Date('2026-12-03T08:00:00.123Z'),
  actorId: '7b1d8a3e-2f4c-4e59-9a63-0c8e5b2f1d47',
  actorEmail: 'ada@example.com',
  ip: '203.0.113.9',
  userAgent: 'Agent/1.0',
  reason: 'logout',
  note: null,
  metadata: { method: 'token_revoke' },
  requestId: 'req-1',
};

describe('AuditEventRepository.insertForEachSql', () => {
  it("should number its placeholders after the statement's own and append its values in the same order", () => {
    const parameters: unknown[] = ['a', 'b', 'c'];
    const sql = repositoryIn().insertForEachSql(ROW, 'ended', parameters);
    expect(parameters).toEqual([
      'a',
      'b',
      'c',
      'logout',
      ROW.at,
      ROW.actorId,
      'ada@example.com',
      '203.0.113.9',
      'Agent/1.0',
      'logout',
      null,
      '{"method":"token_revoke"}',
      'req-1',
    ]);
    const placeholders = [...sql.matchAll(/\$(\d+)::/g)].map((match) => Number(match[1]));
    expect(placeholders).toEqual([4, 5, 6, 7, 8, 9, 10, 11, 12, 13]);
    expect(sql).not.toMatch(/\$[1-3]\b/);
  });

  it('should take the session and its user from each row of the source, and a new id per event', () => {
    const sql = repositoryIn().insertForEachSql(ROW, 'ended', []);
    expect(sql).toMatch(/^INSERT INTO auth_audit_events\s/);
    expect(sql).toContain('gen_random_uuid()');
    expect(sql).toContain('ended.user_id, ended.id');
    expect(sql).toMatch(/FROM ended$/);
  });

  it("should write into the DataSource's schema when it sets one", () => {
    expect(repositoryIn('Tenant A').insertForEachSql(ROW, 'ended', [])).toMatch(/^INSERT INTO "Tenant A"\.auth_audit_events\s/);
  });
});
