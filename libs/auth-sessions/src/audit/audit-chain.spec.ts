import { type ChainedEventText, type ChainHead, checkLinks, canonicalLink, GENESIS_HASH, linkHash, nextLink, type StoredSeal } from './audit-chain.js';

function event(seq: number, overrides: Partial<ChainedEventText> = {}): ChainedEventText {
  return {
    id: `00000000-0000-4000-8000-${String(seq).padStart(12, '0')}`,
    seq: String(seq),
    type: 'login',
    at: '2026-03-01T09:30:00.123456Z',
    actorId: '11111111-1111-4111-8111-111111111111',
    actorEmail: 'ada@example.com',
    userId: '11111111-1111-4111-8111-111111111111',
    sessionId: null,
    ip: '203.0.113.7',
    userAgent: 'Mozilla/5.0',
    reason: null,
    note: null,
    metadata: '{"method": "cookie"}',
    requestId: null,
    ...overrides,
  };
}

// Seals a list of events the way the sealer does, from the genesis.
function seal(events: ChainedEventText[], from: ChainHead = { position: '0', hash: GENESIS_HASH }): StoredSeal[] {
  let head = from;
  return events.map((item) => {
    head = nextLink(head, item);
    return { position: head.position, seq: item.seq, eventId: item.id, hash: head.hash, event: item };
  });
}

describe('audit chain', () => {
  describe('canonicalLink', () => {
    it('should keep null distinct from an empty string', () => {
      expect(canonicalLink('1', event(1, { note: null }))).not.toBe(canonicalLink('1', event(1, { note: '' })));
    });

    it('should not let a value containing the separator shift into the next field', () => {
      const a = canonicalLink('1', event(1, { ip: 'a","b', userAgent: 'c' }));
      const b = canonicalLink('1', event(1, { ip: 'a', userAgent: 'b","c' }));
      expect(a).not.toBe(b);
    });
  });

  describe('linkHash', () => {
    it('should change with the position, the previous hash and any single field', () => {
      const base = linkHash(GENESIS_HASH, '1', event(1));
      expect(linkHash(GENESIS_HASH, '2', event(1)).equals(base)).toBe(false);
      expect(linkHash(Buffer.alloc(32, 1), '1', event(1)).equals(base)).toBe(false);
      expect(linkHash(GENESIS_HASH, '1', event(1, { at: '2026-03-01T09:30:00.123457Z' })).equals(base)).toBe(false);
      expect(linkHash(GENESIS_HASH, '1', event(1, { metadata: '{"method": "bearer"}' })).equals(base)).toBe(false);
      expect(linkHash(GENESIS_HASH, '1', event(1)).equals(base)).toBe(true);
    });
  });

  describe('checkLinks', () => {
    describe('when every sealed event is intact', () => {
      it('should return the last link as the head and no problem', () => {
        const seals = seal([event(1), event(2), event(5)]);
        const result = checkLinks({ position: '0', hash: GENESIS_HASH }, seals);
        expect(result.problem).toBeNull();
        expect(result.checked).toBe(3);
        expect(result.head).toEqual({ position: '3', hash: seals[2].hash });
      });

      it('should continue from a checkpoint head', () => {
        const checkpoint = { position: '41', hash: Buffer.alloc(32, 7) };
        const seals = seal([event(100), event(101)], checkpoint);
        expect(checkLinks(checkpoint, seals).problem).toBeNull();
        expect(checkLinks({ position: '41', hash: GENESIS_HASH }, seals).problem?.kind).toBe('tampered');
      });
    });

    describe('when an event was changed after sealing', () => {
      it('should report it as tampered, with its seq and position', () => {
        const seals = seal([event(1), event(2), event(3)]);
        seals[1] = { ...seals[1], event: event(2, { reason: 'logout' }) };
        const result = checkLinks({ position: '0', hash: GENESIS_HASH }, seals);
        expect(result.problem).toMatchObject({ kind: 'tampered', seq: '2', position: '2' });
        expect(result.checked).toBe(1);
      });

      it('should report a replaced event id as tampered', () => {
        const seals = seal([event(1)]);
        seals[0] = { ...seals[0], eventId: '99999999-9999-4999-8999-999999999999' };
        expect(checkLinks({ position: '0', hash: GENESIS_HASH }, seals).problem?.kind).toBe('tampered');
      });
    });

    describe('when an event or a seal is missing', () => {
      it('should report a sealed event that no longer exists as deleted', () => {
        const seals = seal([event(1), event(2), event(3)]);
        seals[2] = { ...seals[2], event: null };
        expect(checkLinks({ position: '0', hash: GENESIS_HASH }, seals).problem).toMatchObject({ kind: 'deleted', seq: '3', position: '3' });
      });

      it('should report a gap in positions as deleted', () => {
        const seals = seal([event(1), event(2), event(3)]);
        const result = checkLinks({ position: '0', hash: GENESIS_HASH }, [seals[0], seals[2]]);
        expect(result.problem).toMatchObject({ kind: 'deleted', position: '2', seq: '3' });
      });
    });
  });
});
