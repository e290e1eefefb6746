import fc from 'fast-check';
import type { OpenApiDocument } from '../../../../test-support/openapi-validator.js';

/** An OpenAPI schema object, as far as the generators read it. */
export interface Schema {
  $ref?: string;
  allOf?: Schema[];
  oneOf?: Schema[];
  type?: string;
  format?: string;
  enum?: unknown[];
  pattern?: string;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
  items?: Schema;
  properties?: Record<string, Schema>;
  required?: string[];
}

/** Values of the world the generators mix in, so that some requests are valid and reach deep code. */
export interface Known {
  uuids: () => string[];
  emails: () => string[];
  passwords: () => string[];
  refreshTokens: () => string[];
}

/** A generated request, before it is sent. */
export interface FuzzRequest {
  /** The documented operation, `POST /api/auth/sessions/{id}`. */
  operation: string;
  method: string;
  path: string;
  query: string;
  body?: { text: string; contentType: string };
  headers: Record<string, string>;
}

const NASTY_STRINGS = [
  '',
  ' ',
  '\u0000',
  'a\u0000b',
  '%00',
  '\ud800',
  'x\udfff',
  '\u001b[31mred',
  '\u0085',
  '\r\nSet-Cookie: sid=evil',
  "' OR '1'='1",
  "x'; SELECT pg_sleep(5)--",
  '%',
  '%E0%A4%A',
  '../../etc/passwd',
  '//evil.example',
  'https://evil.example',
  '/\\evil.example',
  'javascript:alert(1)',
  '<img src=x onerror=alert(1)>',
  '9'.repeat(40),
  '-1',
  '1e309',
  'NaN',
  'true',
  'null',
  '0000-01-01T00:00:00Z',
  '2026-02-30T00:00:00Z',
  '99999-01-01T00:00:00Z',
  '𝔘𝔫𝔦𝔠𝔬𝔡𝔢 🔒',
  'x'.repeat(2100),
];

/** Strings no well-behaved client sends: controls, NUL, lone surrogates, injections, huge. */
export const nastyString: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(...NASTY_STRINGS),
  fc.string({ unit: 'binary', maxLength: 24 }),
  fc.string({ unit: 'grapheme', maxLength: 24 }),
);

/** Any JSON-ish value of the wrong kind, deep nesting included. */
export const nastyValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 3, arbitrary: fc.constant(null) },
  { weight: 2, arbitrary: nastyString },
  { weight: 1, arbitrary: fc.boolean() },
  { weight: 1, arbitrary: fc.oneof(fc.integer(), fc.double(), fc.constantFrom(-1, 0, 2 ** 53, 1e308)) },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
  { weight: 1, arbitrary: fc.constantFrom({}, [], [[[]]], { a: { b: { c: {} } } }) },
  { weight: 1, arbitrary: fc.integer({ min: 20, max: 3000 }).map(nestedArray) },
);

export function nestedArray(depth: number): unknown {
  let value: unknown = 1;
  for (let level = 0; level < depth; level += 1) value = [value];
  return value;
}

/** Resolves `$ref` and single-element `allOf` against the document's components. */
export function resolve(document: OpenApiDocument, schema: Schema | undefined): Schema {
  let current = schema ?? {};
  for (let hops = 0; hops < 10; hops += 1) {
    if (current.$ref) current = (document.components?.schemas?.[current.$ref.split('/').pop()!] as Schema | undefined) ?? {};
    else if (current.allOf?.length === 1) current = current.allOf[0]!;
    else break;
  }
  return current;
}

/** A value that fits `schema` (often one the world knows), or sometimes one that does not. */
export function valueFor(document: OpenApiDocument, schema: Schema | undefined, name: string, known: Known, depth = 0): fc.Arbitrary<unknown> {
  return fc.oneof({ weight: 5, arbitrary: fittingValue(document, resolve(document, schema), name, known, depth) }, { weight: 2, arbitrary: nastyValue });
}

function fittingValue(document: OpenApiDocument, schema: Schema, name: string, known: Known, depth: number): fc.Arbitrary<unknown> {
  if (schema.enum) return fc.constantFrom(...schema.enum);
  const lower = name.toLowerCase();
  switch (schema.type) {
    case 'boolean':
      return fc.boolean();
    case 'integer':
    case 'number':
      return fc.integer({ min: Math.max(-5, (schema.minimum ?? 0) - 2), max: Math.min(10_000, (schema.maximum ?? 500) + 2) });
    case 'array':
      return fc.array(valueFor(document, schema.items, name, known, depth + 1), {
        minLength: schema.minItems ?? 0,
        maxLength: Math.min(schema.maxItems ?? 4, 4),
      });
    case 'object':
      return depth > 3 ? fc.constant({}) : objectFor(document, schema, known, depth + 1);
  }
  if (schema.format === 'uuid' || lower.endsWith('id') || lower.endsWith('ids')) return fc.oneof(fc.uuid(), known$(known.uuids));
  if (schema.format === 'date-time' || lower.endsWith('before') || lower === 'from' || lower === 'to') {
    return fc.date({ min: new Date('1990-01-01T00:00:00Z'), max: new Date('2100-01-01T00:00:00Z'), noInvalidDate: true }).map((date) => date.toISOString());
  }
  if (schema.format === 'email' || lower.includes('email')) return fc.oneof(fc.emailAddress(), known$(known.emails));
  if (lower.includes('password')) return fc.oneof(known$(known.passwords), fc.string({ minLength: 12, maxLength: 40 }));
  if (lower === 'refresh_token') return fc.oneof(known$(known.refreshTokens), fc.base64String({ minLength: 40, maxLength: 48 }));
  if (lower === 'returnto')
    return fc.constantFrom('/devices', '/login?x=1', '//evil.example', 'https://evil.example/x', '/\\evil.example', '/%2F%2Fevil.example');
  if (lower === 'ip') return fc.oneof(fc.ipV4(), fc.ipV6(), fc.constant('127.0.0.1'));
  return fc.string({ minLength: Math.min(schema.minLength ?? 0, 3), maxLength: Math.min(schema.maxLength ?? 40, 40) });
}

/** An object for an object schema: required properties usually there, optional ones sometimes, an unknown one rarely. */
export function objectFor(document: OpenApiDocument, schema: Schema, known: Known, depth = 0): fc.Arbitrary<Record<string, unknown>> {
  const entries = Object.entries(schema.properties ?? {}).map(([name, property]) => {
    const required = schema.required?.includes(name) ?? false;
    const value = valueFor(document, property, name, known, depth);
    // Absent is fine for optional properties; required ones go missing now and then too.
    return fc.tuple(fc.constant(name), required ? fc.option(value, { freq: 12, nil: undefined }) : fc.option(value, { freq: 2, nil: undefined }));
  });
  return fc
    .tuple(fc.tuple(...entries), fc.option(fc.tuple(fc.constantFrom('extra', 'isAdmin', 'dryrun', 'user', '_csrf'), nastyValue), { freq: 6, nil: undefined }))
    .map(([pairs, extra]) => {
      const object: Record<string, unknown> = {};
      for (const [name, value] of pairs) if (value !== undefined) object[name] = value;
      if (extra) object[extra[0]] = extra[1];
      return object;
    });
}

/** One of the world's values of this kind right now (the world changes as requests succeed). */
function known$(values: () => string[]): fc.Arbitrary<string> {
  return fc.nat().map((index) => {
    const list = values();
    return list.length === 0 ? 'none' : list[index % list.length];
  });
}

/** `encodeURIComponent`, for strings that may hold lone surrogates too (those it refuses). */
export function encodePathSegment(value: unknown): string {
  const text = typeof value === 'string' ? value : (JSON.stringify(value) ?? 'undefined');
  try {
    return encodeURIComponent(text);
  } catch {
    return encodeURIComponent(text.replace(/[\ud800-\udfff]/g, '')) + '%ED%A0%80';
  }
}

/** A query string from values of any type, with raw junk now and then. */
export function queryString(values: Record<string, unknown>, junk: string | undefined): string {
  const parts: string[] = [];
  for (const [name, value] of Object.entries(values)) {
    if (value === undefined) continue;
    const list = Array.isArray(value) && value.length > 0 && value.length < 4 ? value : [value];
    for (const item of list) parts.push(`${encodeURIComponent(name)}=${encodePathSegment(typeof item === 'string' ? item : String(item))}`);
  }
  if (junk) parts.push(junk);
  return parts.length > 0 ? `?${parts.join('&')}` : '';
}

/** Raw query junk: NUL, repeats, malformed escapes, brackets, credentials in the URL (never accepted). */
export const queryJunk: fc.Arbitrary<string> = fc.constantFrom(
  'x=%00',
  'page=1&page=2',
  'search=%E0%A4%A',
  'search[a]=b',
  'limit=1e2',
  '%zz=1',
  '=',
  '&&&',
  'include=ended&include=ended',
  'format=csv%00',
  'sid=SESSION',
  'access_token=ACCESS',
);

/** Header values fetch can send (printable ASCII), some hostile. */
export const headerValue: fc.Arbitrary<string> = fc.oneof(
  fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((code) => String.fromCharCode(code)), maxLength: 60 }),
  fc.constantFrom('', 'x'.repeat(10_000), "' OR 1=1--", '%00', '() { :; }; echo pwned'),
);
