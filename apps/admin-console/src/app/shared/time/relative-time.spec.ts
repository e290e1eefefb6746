import { formatRelative } from './relative-time';

describe('formatRelative', () => {
  const now = Date.parse('2026-11-21T12:00:00Z');
  const ago = (seconds: number) => new Date(now - seconds * 1000);

  it.each([
    [10, 'just now'],
    [59, 'just now'],
    [3 * 60, '3 minutes ago'],
    [61 * 60, '1 hour ago'],
    [26 * 3600, '1 day ago'],
    [9 * 86_400, '1 week ago'],
    [400 * 86_400, '1 year ago'],
    [-2 * 3600, 'in 2 hours'],
  ])('should describe %i seconds ago as "%s"', (seconds, text) => {
    expect(formatRelative(ago(seconds), now)).toBe(text);
  });
});
