import { isMetricsScrapeAllowed } from './metrics-access.js';

describe('isMetricsScrapeAllowed', () => {
  describe('when no metrics token is configured', () => {
    it('should allow every scrape', () => {
      expect(isMetricsScrapeAllowed(null, undefined)).toBe(true);
      expect(isMetricsScrapeAllowed(null, 'Bearer anything')).toBe(true);
    });
  });

  describe('when a metrics token is configured', () => {
    const token = 's3cret-metrics-token';

    it('should allow only the exact bearer token', () => {
      expect(isMetricsScrapeAllowed(token, `Bearer ${token}`)).toBe(true);
      expect(isMetricsScrapeAllowed(token, `bearer ${token}`)).toBe(true);
    });

    it.each([
      ['no header', undefined],
      ['an empty bearer', 'Bearer '],
      ['a prefix of the token', `Bearer ${token.slice(0, -1)}`],
      ['the token plus more', `Bearer ${token}x`],
      ['another scheme', `Basic ${token}`],
      ['the token without a scheme', token],
    ])('should refuse %s', (_label, header) => {
      expect(isMetricsScrapeAllowed(token, header)).toBe(false);
    });
  });
});
