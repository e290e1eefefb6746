import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type ApiProcess, startApi } from '../../../test-support/api-process.js';
import { BrowserClient } from '../../../test-support/http-client.js';
import { type OpenApiDocument, OpenApiValidator, operationsOf } from '../../../test-support/openapi-validator.js';
import type { Schema } from './support/fuzz.js';
import { SSO_PUBLIC_OPERATIONS } from './support/sso.js';

// The OpenAPI document tells the truth (issue 12). These are the document's own promises; that the API
// keeps them is checked on every response of every e2e suite (BrowserClient → OpenApiValidator) and by
// the fuzzer (fuzz.e2e-spec.ts).

const PUBLIC = new Set([
  'POST /api/auth/register',
  'POST /api/auth/login',
  'POST /api/auth/token',
  'POST /api/auth/token/refresh',
  'POST /api/auth/token/revoke',
  'POST /api/auth/logout',
  'GET /api/auth/logout',
  'GET /api/health',
  'GET /api/auth/registration',
  ...SSO_PUBLIC_OPERATIONS,
]);
// Successes with no body by their specifications: OpenID Connect Back-Channel Logout's 200 and RFC 8935's 202.
const BODILESS_SUCCESSES = new Set(['POST /api/auth/oidc/backchannel-logout 200', 'POST /api/auth/oidc/ssf 202']);
const RATE_LIMITED = [
  '/api/auth/login',
  '/api/auth/token',
  '/api/auth/token/refresh',
  '/api/auth/register',
  '/api/auth/reauth',
  '/api/auth/password',
  '/api/auth/email',
  '/api/auth/security-report',
];

describe('the OpenAPI document (/api/docs-json)', () => {
  let api: ApiProcess;
  let document: OpenApiDocument;
  let schemas: Record<string, Schema>;

  beforeAll(async () => {
    api = await startApi();
    document = (await (await fetch(`${api.url}/api/docs-json`)).json()) as OpenApiDocument;
    schemas = (document.components?.schemas ?? {}) as Record<string, Schema>;
  });

  afterAll(async () => {
    await api?.stop();
  });

  const operations = () =>
    operationsOf(document).map((entry) => ({
      ...entry,
      name: `${entry.method} ${entry.path}`,
      responses: entry.operation['responses'] as Record<string, { content?: Record<string, { schema?: Schema }> }>,
    }));

  it('should document 400 on every operation, 401 on every protected one, and 503 wherever a store is read', () => {
    for (const { name, responses } of operations()) {
      expect({ name, has400: '400' in responses }).toEqual({ name, has400: true });
      if (!PUBLIC.has(name)) expect({ name, has401: '401' in responses }).toEqual({ name, has401: true });
      expect({ name, has503: '503' in responses }).toEqual({ name, has503: true });
    }
  });

  it('should document 403 on every state-changing operation a session cookie can authenticate, and on admin reads', () => {
    for (const { name, method, responses } of operations()) {
      const cookieStateChange = method !== 'GET' && !name.includes('/api/auth/token') && !PUBLIC.has(name);
      if (cookieStateChange || name.includes('/api/admin/') || name === 'POST /api/auth/logout') {
        expect({ name, has403: '403' in responses }).toEqual({ name, has403: true });
      }
    }
  });

  it('should document 413 and 415 on every operation that takes a body, and 429 with Retry-After where the host rate-limits', () => {
    for (const { name, operation, responses } of operations()) {
      if (operation['requestBody']) expect({ name, bodyErrors: ['413', '415'].every((status) => status in responses) }).toEqual({ name, bodyErrors: true });
    }
    for (const path of RATE_LIMITED) {
      const responses = document.paths[path]['post'].responses as Record<string, { headers?: Record<string, unknown> }>;
      expect({ path, retryAfter: Object.keys(responses['429']?.headers ?? {}) }).toEqual({ path, retryAfter: ['Retry-After'] });
    }
  });

  it('should give every error the contract body, and every JSON success a schema', () => {
    for (const { name, responses } of operations()) {
      for (const [status, response] of Object.entries(responses)) {
        const json = response.content?.['application/json']?.schema;
        // Health's 503 is the health report itself (terminus): which dependency is down. The provider-facing
        // single sign-on routes refuse a token in the body their specification fixes, and the contract's body
        // is the other choice (oneOf), for what the library's edge answers before the route runs.
        const contractBody = json?.$ref ?? (json?.oneOf ?? []).map((choice) => choice.$ref).find((ref) => ref === '#/components/schemas/ErrorResponseDto');
        if (Number(status) >= 400 && !(name === 'GET /api/health' && status === '503'))
          expect({ name, status, schema: contractBody }).toEqual({ name, status, schema: '#/components/schemas/ErrorResponseDto' });
        else if (Number(status) < 300 && status !== '204' && !BODILESS_SUCCESSES.has(`${name} ${status}`))
          expect({ name, status, documented: Object.values(response.content ?? {}).some((media) => media.schema !== undefined) }).toEqual({
            name,
            status,
            documented: true,
          });
      }
    }
  });

  it('should answer unsupported methods with 405 and Allow, never "not found"', () => {
    expect(Object.keys(document.paths['/api/auth/logout']['get'].responses)).toEqual(expect.arrayContaining(['405']));
    expect(document.paths['/api/auth/logout']['get'].responses['200']).toBeUndefined();
  });

  it('should list every device type the API can return', () => {
    // The contract's list (DEVICE_TYPES in the library's response DTOs), written out: a change to it is an API change.
    expect(schemas['DeviceDto'].properties!['type'].enum).toEqual([
      'desktop',
      'mobile',
      'tablet',
      'smarttv',
      'wearable',
      'console',
      'embedded',
      'cli',
      'unknown',
    ]);
  });

  it('should type paging and counts as integers with their bounds', () => {
    const query = (path: string, name: string) =>
      (document.paths[path]['get'] as unknown as { parameters: Array<{ name: string; schema: Schema }> }).parameters.find(
        (parameter) => parameter.name === name,
      )!.schema;
    expect(query('/api/admin/users', 'page')).toMatchObject({ type: 'integer', minimum: 1 });
    expect(query('/api/admin/users', 'pageSize')).toMatchObject({ type: 'integer', minimum: 1, maximum: 100 });
    expect(query('/api/admin/audit', 'limit')).toMatchObject({ type: 'integer', minimum: 1, maximum: 200 });
    for (const [schema, field] of [
      ['AdminUsersPageDto', 'total'],
      ['AdminUsersPageDto', 'page'],
      ['AdminUsersPageDto', 'pageSize'],
      ['AdminUserDto', 'activeSessions'],
      ['RevokedDto', 'revoked'],
      ['FilterRevocationDto', 'matched'],
      ['TokenPairDto', 'expires_in'],
      ['ErrorResponseDto', 'statusCode'],
    ]) {
      expect({ schema, field, type: schemas[schema].properties![field].type }).toEqual({ schema, field, type: 'integer' });
    }
  });

  it('should declare a maximum length, an enum or a format on every string a client sends', () => {
    for (const [name, schema] of Object.entries(schemas).filter(([name]) => name.endsWith('Dto') && !name.endsWith('ResponseDto') && isRequestSchema(name))) {
      for (const [field, property] of Object.entries(schema.properties ?? {})) {
        const strings = property.type === 'array' ? property.items! : property;
        if (strings.type !== 'string') continue;
        const bounded = strings.maxLength !== undefined || strings.enum !== undefined || strings.format === 'uuid' || strings.pattern !== undefined;
        expect({ schema: name, field, bounded }).toEqual({ schema: name, field, bounded: true });
      }
    }
  });

  it('should declare uuid, date-time and email formats where the API checks them', () => {
    expect(schemas['RevokeByFilterDto'].properties!['userIds'].items).toMatchObject({ type: 'string', format: 'uuid' });
    expect(schemas['RevokeByFilterDto'].properties!['createdBefore']).toMatchObject({ type: 'string', format: 'date-time' });
    expect(schemas['RevokeSessionsDto'].properties!['sessionIds'].items).toMatchObject({ format: 'uuid' });
    expect(schemas['LoginDto'].properties!['email']).toMatchObject({ format: 'email', maxLength: 320 });
    expect(schemas['SessionDto'].properties!['expiresAt']).toMatchObject({ format: 'date-time' });
    expect(schemas['AuditEventDto'].properties!['userId']).toMatchObject({ format: 'uuid', nullable: true });
  });

  it('should mark as nullable exactly what the API returns as null, and never a request field', () => {
    expect(schemas['AdminUserDto'].properties!['lastActiveAt']).toMatchObject({ nullable: true });
    expect(schemas['AuditPageDto'].properties!['nextCursor']).toMatchObject({ nullable: true });
    for (const [name, schema] of Object.entries(schemas).filter(([name]) => isRequestSchema(name))) {
      for (const [field, property] of Object.entries(schema.properties ?? {})) {
        expect({ schema: name, field, nullable: (property as { nullable?: boolean }).nullable ?? false }).toEqual({ schema: name, field, nullable: false });
      }
    }
  });

  it('should not require a body where every field is optional', () => {
    for (const path of ['/api/auth/logout', '/api/auth/logout-all', '/api/auth/security-report']) {
      expect({ path, required: (document.paths[path]['post'] as unknown as { requestBody: { required: boolean } }).requestBody.required }).toEqual({
        path,
        required: false,
      });
    }
  });

  describe('the shared response check (test-support/openapi-validator.ts)', () => {
    it('should refuse an undocumented status, a field the document does not name, and a wrong type', () => {
      const validator = new OpenApiValidator(document);
      const json = new Headers({ 'content-type': 'application/json' });
      const me = {
        user: { id: crypto.randomUUID(), email: 'a@example.com', roles: [] },
        session: { id: crypto.randomUUID(), createdAt: new Date().toISOString(), expiresAt: new Date().toISOString(), method: 'cookie' },
      };

      expect(validator.problems({ method: 'GET', url: '/api/auth/me', status: 200, headers: json, body: me })).toEqual([]);
      expect(validator.problems({ method: 'GET', url: '/api/auth/me', status: 409, headers: json, body: { statusCode: 409, message: 'x' } })).toEqual([
        expect.stringContaining('status not documented'),
      ]);
      expect(validator.problems({ method: 'GET', url: '/api/auth/me', status: 200, headers: json, body: { ...me, token: 'x' } })).toEqual([
        expect.stringContaining('additional properties (token)'),
      ]);
      expect(validator.problems({ method: 'GET', url: '/api/auth/me', status: 200, headers: json, body: { ...me, user: { ...me.user, id: 42 } } })).not.toEqual(
        [],
      );
      expect(validator.problems({ method: 'PUT', url: '/api/auth/login', status: 405, headers: json, body: { statusCode: 405, message: 'x' } })).toEqual([
        '405 without an Allow header',
      ]);
    });

    it('should run on every BrowserClient response, with an opt-out for deliberate probes', async () => {
      // A stand-in server with the real document and an answer that breaks it (a field the document does not name).
      const server = createServer((req, res) => {
        res.setHeader('content-type', 'application/json');
        if (req.url === '/api/docs-json') return res.end(JSON.stringify(document));
        res.end(JSON.stringify({ redirectTo: '/login', leaked: 'x' }));
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const { port } = server.address() as AddressInfo;
      try {
        const client = new BrowserClient(`http://127.0.0.1:${port}`);

        await expect(client.post('/api/auth/logout')).rejects.toThrow(/does not match \/api\/docs-json[\s\S]*additional properties \(leaked\)/);
        await expect(client.post('/api/auth/logout', { openapi: false })).resolves.toMatchObject({ status: 200 });
        await expect(new BrowserClient(`http://127.0.0.1:${port}`, { openapi: false }).post('/api/auth/logout')).resolves.toMatchObject({ status: 200 });
      } finally {
        await new Promise((resolve) => server.close(resolve));
      }
    });
  });
});

function isRequestSchema(name: string): boolean {
  return /^(Login|Reauth|RefreshToken|Logout|LogoutAll|ChangePassword|ChangeEmail|SecurityReport|Note|RevokeSessions|RevokeByFilter|Register)Dto$/.test(name);
}
