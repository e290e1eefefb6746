import { assertUserId } from './sessions.service.js';

describe('assertUserId (what a session can be opened for)', () => {
  const user = (id: unknown) => ({ id, email: 'ada@example.com', roles: [] }) as never;

  it('should accept any UUID, in either case', () => {
    expect(() => assertUserId(user('4f0c6a1e-7d2b-4c89-a3e5-9b1d2c3e4f50'))).not.toThrow();
    expect(() => assertUserId(user('4F0C6A1E-7D2B-4C89-A3E5-9B1D2C3E4F50'))).not.toThrow();
  });

  it.each([42, '42', '', null, undefined, '4f0c6a1e7d2b4c89a3e59b1d2c3e4f50x'])('should refuse %p, naming the value and where it came from', (id) => {
    expect(() => assertUserId(user(id))).toThrow(new RegExp(`must be a UUID string .*got ${JSON.stringify(id) ?? 'undefined'}: check what your strategy`));
  });
});
