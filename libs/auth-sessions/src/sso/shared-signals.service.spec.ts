import { IdpTokenRejectedError } from './sso.errors.js';
import { eventSubject } from './shared-signals.service.js';

const user = { format: 'iss_sub', iss: 'https://login.example.com', sub: 'u-1' };

describe('eventSubject', () => {
  it('should read an iss_sub subject of the event', () => {
    expect(eventSubject({ event: { subject: user }, payload: {} })).toEqual({ iss: user.iss, sub: 'u-1', sid: undefined });
  });

  it('should read a complex subject with the provider session', () => {
    const subject = { format: 'complex', user, session: { format: 'opaque', id: 'sid-9' } };
    expect(eventSubject({ event: { subject }, payload: {} })).toEqual({ iss: user.iss, sub: 'u-1', sid: 'sid-9' });
  });

  it("should fall back to the SET's sub_id (SSF 1.0)", () => {
    expect(eventSubject({ event: {}, payload: { sub_id: user } })).toEqual({ iss: user.iss, sub: 'u-1', sid: undefined });
  });

  it.each([
    [{}],
    [{ subject: { format: 'email', email: 'a@example.com' } }],
    [{ subject: { format: 'iss_sub', iss: user.iss } }],
    [{ subject: { format: 'complex', user: { format: 'email', email: 'x' } } }],
    [{ subject: { format: 'complex', user, session: { format: 'opaque' } } }],
    [{ subject: 'u-1' }],
  ])('should refuse %j', (event) => {
    expect(() => eventSubject({ event, payload: {} })).toThrow(IdpTokenRejectedError);
  });
});
