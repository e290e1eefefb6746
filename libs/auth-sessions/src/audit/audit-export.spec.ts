import type { AuditEventResponse } from './audit-event.response.js';
import { AUDIT_CSV_HEADER, csvField, toCsvRecord, toNdjsonLine } from './audit-export.js';

const sample: AuditEventResponse = {
  id: '7c9e6679-7425-40de-944b-e07fc1f90ae7',
  type: 'session_revoked',
  at: new Date('2026-03-01T09:45:00.000Z'),
  actor: { id: '5d1c2b3a-4e5f-4a6b-8c7d-9e0f1a2b3c4d', email: 'admin@example.com' },
  userId: '0b6a3c8e-2f41-4d7a-9c5e-1a2b3c4d5e6f',
  user: { id: '0b6a3c8e-2f41-4d7a-9c5e-1a2b3c4d5e6f', email: 'ada@example.com' },
  sessionId: '3f0e5c1a-8b2d-4c4e-9a51-0d5b7c2e9f10',
  ip: '203.0.113.7',
  userAgent: 'x\r\n{"type":"logout"}',
  reason: 'revoked_by_admin',
  note: 'stolen, "urgent"',
  metadata: { count: 1 },
  requestId: null,
};

describe('audit export', () => {
  describe('csvField', () => {
    it.each([
      [null, ''],
      ['plain', 'plain'],
      ['a,b', '"a,b"'],
      ['say "hi"', '"say ""hi"""'],
      ['two\nlines', '"two\nlines"'],
      [' padded', '" padded"'],
      ['=HYPERLINK("http://evil")', `"'=HYPERLINK(""http://evil"")"`],
      ['+1', "'+1"],
      ['@SUM(A1)', "'@SUM(A1)"],
    ])('should write %p as %p', (value, expected) => {
      expect(csvField(value)).toBe(expected);
    });
  });

  describe('toCsvRecord', () => {
    it('should write one record per event, with as many fields as the header, line breaks kept inside quotes', () => {
      const record = toCsvRecord(sample);
      expect(record.endsWith('\r\n')).toBe(true);
      expect(record).toContain('"x\r\n{""type"":""logout""}"');
      expect(record).toContain('"{""count"":1}"');
      expect(AUDIT_CSV_HEADER.split(',')).toHaveLength(14);
      // The target user's email, next to their id.
      expect(record.split(',').slice(5, 7)).toEqual([sample.userId, 'ada@example.com']);
      expect(toCsvRecord({ ...sample, user: null }).split(',')[6]).toBe('');
    });
  });

  describe('toNdjsonLine', () => {
    it('should write exactly one line per event, control characters escaped', () => {
      const line = toNdjsonLine(sample);
      expect(line.split('\n')).toEqual([expect.any(String), '']);
      expect(JSON.parse(line)).toMatchObject({ id: sample.id, userAgent: sample.userAgent, at: '2026-03-01T09:45:00.000Z' });
    });
  });
});
