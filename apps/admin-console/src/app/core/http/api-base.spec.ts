import { api, apiBaseOf, DEFAULT_API_BASE } from './api-base';

function page(content: string | null): Pick<Document, 'querySelector'> {
  const doc = document.implementation.createHTMLDocument('console');
  if (content !== null) {
    const meta = doc.createElement('meta');
    meta.name = 'signoff-api';
    meta.content = content;
    doc.head.append(meta);
  }
  return doc;
}

describe('apiBaseOf', () => {
  it.each([
    [null, '/api'],
    ['', '/api'],
    ['  ', '/api'],
    ['/api', '/api'],
    ['/v2/signoff', '/v2/signoff'],
    ['/v2/signoff/', '/v2/signoff'],
    [' /identity ', '/identity'],
    ['/a_b~c-d/e.f', '/a_b~c-d/e.f'],
  ])('should read %j as %s', (content, base) => {
    expect(apiBaseOf(page(content))).toBe(base);
  });

  it.each([
    'https://evil.example/api',
    '//evil.example/api',
    'api',
    '/api/../admin',
    '/./api',
    '/api?x=1',
    '/api#x',
    '/a b',
    '/api\\x',
    'javascript:alert(1)',
    '/',
  ])('should refuse %j, say so once, and use /api', (content) => {
    const error = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    try {
      expect(apiBaseOf(page(content))).toBe(DEFAULT_API_BASE);
      expect(apiBaseOf(page(content))).toBe(DEFAULT_API_BASE);
      expect(error).toHaveBeenCalledTimes(1);
      expect(String(error.mock.calls[0]?.[0])).toContain('is not a path on this origin');
    } finally {
      error.mockRestore();
    }
  });
});

describe('api', () => {
  afterEach(() => document.head.querySelectorAll('meta[name="signoff-api"]').forEach((meta) => meta.remove()));

  it("should put the page's base before the contract's path, read at each call", () => {
    expect(api('/auth/me')).toBe('/api/auth/me');
    const meta = document.createElement('meta');
    meta.name = 'signoff-api';
    meta.content = '/identity/v1';
    document.head.append(meta);
    expect(api('/auth/sessions?include=ended')).toBe('/identity/v1/auth/sessions?include=ended');
  });
});
