import { plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
import { AuditQuery } from './dto/audit.query.js';
import { ListUsersQuery } from './dto/list-users.query.js';
import { RevokeByFilterDto } from './dto/revoke-by-filter.dto.js';
import { containsPattern } from '../sessions/session-filter.js';
import { describeRevokeFilter, toRevokeFilter } from './revoke-filter.js';

async function errorsOf<T extends object>(type: new () => T, plain: Record<string, unknown>): Promise<string[]> {
  const errors = await validate(plainToInstance(type, plain), { whitelist: true, forbidNonWhitelisted: true });
  return errors.map((error) => error.property);
}

describe('revoke by filter', () => {
  describe('toRevokeFilter', () => {
    describe('when no filter is given', () => {
      it.each([[{}], [{ userIds: [] }]])('should return null for %p (it would match every session)', (input) => {
        expect(toRevokeFilter(input)).toBeNull();
      });
    });

    describe('when filters are given', () => {
      it('should keep each one, parse times and deduplicate user ids case-insensitively', () => {
        const filter = toRevokeFilter({
          ip: '203.0.113.7',
          userAgentContains: 'Firefox',
          createdBefore: '2026-01-01T00:00:00Z',
          lastActiveBefore: '2026-02-01',
          userIds: ['0B6A3C8E-2F41-4D7A-9C5E-1A2B3C4D5E6F', '0b6a3c8e-2f41-4d7a-9c5e-1a2b3c4d5e6f'],
        });
        expect(filter).toEqual({
          ip: '203.0.113.7',
          userAgentContains: 'Firefox',
          createdBefore: new Date('2026-01-01T00:00:00Z'),
          lastActiveBefore: new Date('2026-02-01T00:00:00Z'),
          userIds: ['0b6a3c8e-2f41-4d7a-9c5e-1a2b3c4d5e6f'],
        });
        expect(describeRevokeFilter(filter!)).toEqual({
          ip: '203.0.113.7',
          userAgentContains: 'Firefox',
          createdBefore: '2026-01-01T00:00:00.000Z',
          lastActiveBefore: '2026-02-01T00:00:00.000Z',
          userIds: ['0b6a3c8e-2f41-4d7a-9c5e-1a2b3c4d5e6f'],
        });
      });
    });
    describe('when the IP is IPv4-mapped IPv6', () => {
      it.each([
        ['::ffff:127.0.0.1', '127.0.0.1'],
        ['::FFFF:203.0.113.7', '203.0.113.7'],
        ['2001:db8::1', '2001:db8::1'],
        ['203.0.113.7', '203.0.113.7'],
      ])('should read %s as the recorded form %s', (ip, recorded) => {
        expect(toRevokeFilter({ ip })).toEqual({ ip: recorded });
      });
    });
  });

  describe('containsPattern', () => {
    it('should take LIKE wildcards and the escape character literally', () => {
      expect(containsPattern('50%_off\\')).toBe('%50\\%\\_off\\\\%');
    });
  });

  describe('RevokeByFilterDto', () => {
    const valid = { ip: '203.0.113.7', note: 'incident 14' };

    it('should accept a filter with a note', async () => {
      expect(await errorsOf(RevokeByFilterDto, valid)).toEqual([]);
      expect(await errorsOf(RevokeByFilterDto, { userIds: ['0b6a3c8e-2f41-4d7a-9c5e-1a2b3c4d5e6f'], dryRun: true, note: 'x' })).toEqual([]);
    });

    it.each([
      ['a missing note', { ip: '203.0.113.7' }, 'note'],
      ['a blank note', { ip: '203.0.113.7', note: '   ' }, 'note'],
      ['a note over 1000 characters', { ip: '203.0.113.7', note: 'x'.repeat(1001) }, 'note'],
      ['an IP that is not one', { ip: '203.0.113', note: 'x' }, 'ip'],
      ['an empty user-agent substring', { userAgentContains: '', note: 'x' }, 'userAgentContains'],
      ['a time that is not ISO 8601', { createdBefore: 'yesterday', note: 'x' }, 'createdBefore'],
      ['an impossible date', { lastActiveBefore: '2026-02-30T00:00:00Z', note: 'x' }, 'lastActiveBefore'],
      ['an empty user list', { userIds: [], note: 'x' }, 'userIds'],
      ['a user id that is not a UUID', { userIds: ['42'], note: 'x' }, 'userIds'],
      ['a dryRun that is not a boolean', { ip: '203.0.113.7', dryRun: 'yes', note: 'x' }, 'dryRun'],
      ['an unknown field', { ip: '203.0.113.7', note: 'x', everyone: true }, 'everyone'],
    ])('should reject %s', async (_label, plain, property) => {
      expect(await errorsOf(RevokeByFilterDto, plain)).toContain(property);
    });
  });
});

describe('admin query validation', () => {
  describe('ListUsersQuery', () => {
    it('should accept absent paging values (defaults apply) and an empty search (no filter)', async () => {
      expect(await errorsOf(ListUsersQuery, {})).toEqual([]);
      expect(await errorsOf(ListUsersQuery, { search: '' })).toEqual([]);
      expect(plainToInstance(ListUsersQuery, { page: '3', pageSize: '100' })).toMatchObject({ page: 3, pageSize: 100 });
    });

    it.each([
      // An empty value names no number: malformed, not absent.
      [{ page: '' }, 'page'],
      [{ pageSize: '' }, 'pageSize'],
      [{ page: '0' }, 'page'],
      [{ page: '1.5' }, 'page'],
      [{ page: 'abc' }, 'page'],
      [{ page: ['1', '2'] }, 'page'],
      [{ page: '100001' }, 'page'],
      [{ pageSize: '101' }, 'pageSize'],
      [{ pageSize: '0' }, 'pageSize'],
      [{ search: 'x'.repeat(321) }, 'search'],
    ])('should reject %p', async (plain, property) => {
      expect(await errorsOf(ListUsersQuery, plain)).toContain(property);
    });
  });

  describe('AuditQuery', () => {
    it('should accept every filter together', async () => {
      expect(
        await errorsOf(AuditQuery, {
          userId: '0b6a3c8e-2f41-4d7a-9c5e-1a2b3c4d5e6f',
          type: 'session_revoked',
          from: '2026-01-01T00:00:00Z',
          to: '2026-02-01T00:00:00.000+01:00',
          limit: '200',
          cursor: 'eyJ2IjoxLCJiZWZvcmUiOiI1In0',
        }),
      ).toEqual([]);
    });

    it.each([
      [{ userId: 'nope' }, 'userId'],
      [{ type: 'session.revoked' }, 'type'],
      [{ from: '01/02/2026' }, 'from'],
      [{ to: '2026-01-01 10:00' }, 'to'],
      // The document says date-time (RFC 3339): a bare date is not one.
      [{ to: '2026-02-01' }, 'to'],
      [{ from: '2026-01-01T00:00:00' }, 'from'],
      [{ limit: '201' }, 'limit'],
      [{ limit: '0' }, 'limit'],
      [{ cursor: 'x'.repeat(201) }, 'cursor'],
      [{ userId: '' }, 'userId'],
      [{ type: '' }, 'type'],
      [{ from: '' }, 'from'],
      [{ to: '' }, 'to'],
      [{ limit: '' }, 'limit'],
      [{ cursor: '' }, 'cursor'],
    ])('should reject %p', async (plain, property) => {
      expect(await errorsOf(AuditQuery, plain)).toContain(property);
    });
  });
});
