import { parseEvent } from './session-event-stream';

describe('parseEvent', () => {
  it('should read the event name and data of a logout event', () => {
    expect(parseEvent('event: logout\ndata: {"reason":"revoked_by_admin"}')).toEqual({
      name: 'logout',
      data: '{"reason":"revoked_by_admin"}',
    });
  });

  it('should ignore heartbeat comments', () => {
    expect(parseEvent(': heartbeat')).toBeNull();
  });

  it('should join multi-line data and accept CRLF', () => {
    expect(parseEvent('event: note\r\ndata: a\r\ndata: b')).toEqual({ name: 'note', data: 'a\nb' });
  });
});
