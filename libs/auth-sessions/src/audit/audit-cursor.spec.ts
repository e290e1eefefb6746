import { decodeAuditCursor, encodeAuditCursor } from './audit-cursor.js';

describe('audit cursor', () => {
  describe('encodeAuditCursor', () => {
    it('should round-trip through decodeAuditCursor and be URL-safe', () => {
      const cursor = encodeAuditCursor('9223372036854775807');
      expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
      expect(decodeAuditCursor(cursor)).toBe('9223372036854775807');
    });
  });

  describe('decodeAuditCursor', () => {
    const encode = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');

    it.each([
      ['an empty string', ''],
      ['characters outside base64url', 'abc+/='],
      ['base64 of something that is not JSON', Buffer.from('hello').toString('base64url')],
      ['a JSON array', encode([1, '5'])],
      ['another version', encode({ v: 2, before: '5' })],
      ['a numeric seq', encode({ v: 1, before: 5 })],
      ['a negative seq', encode({ v: 1, before: '-5' })],
      ['a seq with leading zeros', encode({ v: 1, before: '05' })],
      ['zero', encode({ v: 1, before: '0' })],
      ['a seq past bigint', encode({ v: 1, before: '9223372036854775808' })],
      ['an SQL fragment', encode({ v: 1, before: '5 OR 1=1' })],
      ['extra fields', encode({ v: 1, before: '5', userId: 'x' })],
      ['an over-long value', 'a'.repeat(201)],
    ])('should return null for %s', (_label, cursor) => {
      expect(decodeAuditCursor(cursor)).toBeNull();
    });
  });
});
