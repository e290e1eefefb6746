import fc from 'fast-check';
import { rateLimitSubject } from './rate-limit-subject.js';

describe('rateLimitSubject', () => {
  it('should count an IPv4 client by its address, also when it arrives IPv4-mapped in IPv6', () => {
    expect(rateLimitSubject('203.0.113.7')).toBe('203.0.113.7');
    expect(rateLimitSubject('::ffff:203.0.113.7')).toBe('203.0.113.7');
    expect(rateLimitSubject('203.0.113.8')).not.toBe(rateLimitSubject('203.0.113.7'));
  });

  it('should count an IPv6 client by its /64, whichever address of it the request came from', () => {
    expect(rateLimitSubject('2001:db8:1:2::1')).toBe('2001:db8:1:2::/64');
    expect(rateLimitSubject('2001:0DB8:0001:0002:ffff:ffff:ffff:ffff')).toBe('2001:db8:1:2::/64');
    expect(rateLimitSubject('::1')).toBe('0:0:0:0::/64');
    expect(rateLimitSubject('2001:db8:1:3::1')).not.toBe(rateLimitSubject('2001:db8:1:2::1'));
  });

  it('should give every address of one /64 the same subject, and addresses of two /64s different ones', () => {
    const group = fc.integer({ min: 0, max: 0xffff });
    const address = fc.array(group, { minLength: 8, maxLength: 8 });
    fc.assert(
      fc.property(address, address, (a, b) => {
        const text = (parts: number[]) => parts.map((part) => part.toString(16)).join(':');
        const sameNetwork = a.slice(0, 4).every((part, index) => part === b[index]);
        // ::ffff:0:0/96 is IPv4-mapped: counted by its IPv4 address instead.
        fc.pre(!(a.slice(0, 6).join() === '0,0,0,0,0,65535' || b.slice(0, 6).join() === '0,0,0,0,0,65535'));
        expect(rateLimitSubject(text(a)) === rateLimitSubject(text(b))).toBe(sameNetwork);
      }),
      { seed: 7, numRuns: 500 },
    );
  });

  it('should count a value that is no IP address as it is', () => {
    expect(rateLimitSubject('unknown')).toBe('unknown');
  });
});
