import { Ajv, type ValidateFunction } from 'ajv';
import * as ajvFormats from 'ajv-formats';

// ajv-formats is CommonJS with `exports.default`: which object holds the function depends on the loader.
type AddFormats = (ajv: Ajv) => Ajv;
const addFormats: AddFormats = (() => {
  const module = ajvFormats as unknown as { default: AddFormats | { default: AddFormats } };
  return typeof module.default === 'function' ? module.default : module.default.default;
})();

/** The parts of an OpenAPI 3.0 document the checks read. */
export interface OpenApiDocument {
  paths: Record<string, Record<string, OperationObject>>;
  components?: { schemas?: Record<string, unknown> };
}

interface OperationObject {
  responses: Record<string, { content?: Record<string, { schema?: unknown }>; headers?: Record<string, unknown> }>;
}

/** A response as the checks see it. */
export interface ObservedResponse {
  method: string;
  /** Path and query, e.g. `/api/auth/sessions?include=ended`. */
  url: string;
  status: number;
  headers: Headers;
  /** Parsed JSON when the content type is JSON, else the text. */
  body: unknown;
}

const DOCUMENT_ID = 'openapi.json';
const METHODS = new Set(['get', 'put', 'post', 'delete', 'patch', 'options', 'head', 'trace']);

/**
 * Checks responses against the app's own OpenAPI document (`/api/docs-json`): the operation and its
 * status are documented, documented headers (Allow on 405, Retry-After on 429) are there, and a JSON
 * body matches the documented schema. Objects are checked closed: a field the API returns that the
 * document does not name is a failure, so the document cannot silently fall behind the code.
 */
export class OpenApiValidator {
  private readonly ajv: Ajv;
  private readonly compiled = new Map<string, ValidateFunction>();
  private readonly routes: Array<{ template: string; pattern: RegExp; literalLength: number }>;

  constructor(private readonly document: OpenApiDocument) {
    this.ajv = new Ajv({ strict: false, allErrors: true, validateFormats: true });
    addFormats(this.ajv);
    this.ajv.addSchema(toJsonSchema(structuredClone(document)) as object, DOCUMENT_ID);
    this.routes = Object.keys(document.paths)
      .map((template) => ({
        template,
        pattern: new RegExp(
          `^${template
            .split(/\{[^}]+\}/)
            .map(escapeRegExp)
            .join('[^/]+')}$`,
        ),
        literalLength: template.replace(/\{[^}]+\}/g, '').length,
      }))
      // A literal segment wins over a parameter: /sessions/revoke-others before /sessions/{id}.
      .sort((a, b) => b.literalLength - a.literalLength);
  }

  /**
   * Whether the document describes this path at all: the API's own paths; not the console, the docs, or
   * `/metrics` (served on the HTTP adapter for Prometheus, outside the API and its document).
   */
  static covers(path: string): boolean {
    return path.startsWith('/api/') && !path.startsWith('/api/docs');
  }

  /** What is wrong with a response; empty when it is as documented. */
  problems(response: ObservedResponse): string[] {
    const path = new URL(response.url, 'http://x').pathname;
    if (!OpenApiValidator.covers(path)) return [];
    const method = response.method.toLowerCase();
    if (method === 'head' || method === 'options') return [];
    // Headers over the HTTP server's limit are refused before any route (Node, or Fastify on its behalf): not the API's answer.
    if (response.status === 431) return [];
    const candidates = this.routes.filter((route) => route.pattern.test(path));
    const route = candidates.find((candidate) => this.document.paths[candidate.template]?.[method] !== undefined);
    if (!route) {
      // Requests to routes that do not exist are probes; the router's answers to them are the standard ones,
      // and a body the platform cannot read is refused before routing (400, 413, 415).
      if ([400, 404, 413, 415].includes(response.status)) return [];
      if (response.status === 405) return response.headers.get('allow') ? [] : ['405 without an Allow header'];
      return [`${response.method} ${path} is not in the document, yet it answered ${response.status}`];
    }
    const operation = this.document.paths[route.template][method];
    const statusKey = String(response.status);
    const documented = operation.responses[statusKey] ?? operation.responses[`${statusKey[0]}XX`] ?? operation.responses['default'];
    const where = `${response.method} ${route.template} → ${response.status}`;
    if (!documented) {
      return [`${where}: status not documented (documented: ${Object.keys(operation.responses).join(', ')})`];
    }
    const problems: string[] = [];
    for (const header of Object.keys(documented.headers ?? {})) {
      if (!response.headers.has(header)) problems.push(`${where}: documented header ${header} is missing`);
    }
    const mediaType = (response.headers.get('content-type') ?? '').split(';')[0].trim().toLowerCase();
    const hasBody = response.body !== '' && response.body !== undefined;
    if (!hasBody) return problems;
    const content = documented.content ?? {};
    // Media types compare without their parameters (charset).
    const contentKey =
      Object.keys(content).find((key) => key.split(';')[0].trim().toLowerCase() === mediaType) ??
      (isJson(mediaType) ? Object.keys(content).find(isJson) : undefined);
    if (!contentKey) {
      // Redirects and errors written by the platform before any route (plain text) carry no documented body.
      if (response.status >= 300 && response.status < 400) return problems;
      problems.push(`${where}: answered ${mediaType || 'a body without a content type'}, documented: ${Object.keys(content).join(', ') || 'no body'}`);
      return problems;
    }
    if (!isJson(mediaType) || content[contentKey].schema === undefined) return problems;
    const pointer = `${DOCUMENT_ID}#/paths/${pointerEscape(route.template)}/${method}/responses/${statusKey in operation.responses ? statusKey : statusKey[0] + 'XX'}/content/${pointerEscape(contentKey)}/schema`;
    const validate = this.validator(pointer);
    if (!validate(response.body)) {
      for (const error of validate.errors ?? []) {
        const extra = error.keyword === 'additionalProperties' ? ` (${String((error.params as { additionalProperty?: string }).additionalProperty)})` : '';
        problems.push(`${where}: body${error.instancePath} ${error.message ?? error.keyword}${extra}`);
      }
    }
    return problems;
  }

  private validator(pointer: string): ValidateFunction {
    let validate = this.compiled.get(pointer);
    if (!validate) {
      validate = this.ajv.compile({ $ref: pointer });
      this.compiled.set(pointer, validate);
    }
    return validate;
  }
}

/** The documented operations: `[method, path template]` pairs. */
export function operationsOf(document: OpenApiDocument): Array<{ method: string; path: string; operation: Record<string, unknown> }> {
  return Object.entries(document.paths).flatMap(([path, item]) =>
    Object.entries(item)
      .filter(([method]) => METHODS.has(method))
      .map(([method, operation]) => ({ method: method.toUpperCase(), path, operation: operation as unknown as Record<string, unknown> })),
  );
}

const loaded = new Map<string, Promise<OpenApiValidator>>();

/**
 * The validator for the app at `baseUrl`, from its `/api/docs-json` (fetched once per app). Null when
 * the document cannot be fetched (the app is down, or `baseUrl` is not the app).
 */
export async function validatorFor(baseUrl: string): Promise<OpenApiValidator | null> {
  const origin = new URL(baseUrl).origin;
  let pending = loaded.get(origin);
  if (!pending) {
    pending = fetch(`${origin}/api/docs-json`, { signal: AbortSignal.timeout(5000) }).then(async (response) => {
      if (response.status !== 200) throw new Error(`GET /api/docs-json answered ${response.status}`);
      return new OpenApiValidator((await response.json()) as OpenApiDocument);
    });
    loaded.set(origin, pending);
    // A failed fetch is not remembered: the next response tries again.
    pending.catch(() => loaded.delete(origin));
  }
  return pending.catch(() => null);
}

/**
 * OpenAPI 3.0 schemas to JSON Schema as ajv reads it: `nullable` becomes a `null` type (or enum
 * value), and objects with named properties and no `additionalProperties` become closed.
 */
function toJsonSchema(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(toJsonSchema);
  if (typeof node !== 'object' || node === null) return node;
  const schema = Object.fromEntries(Object.entries(node).map(([key, value]) => [key, key === 'example' ? value : toJsonSchema(value)])) as Record<
    string,
    unknown
  >;
  if (schema['properties'] !== undefined && typeof schema['properties'] === 'object' && schema['additionalProperties'] === undefined && !('in' in schema)) {
    schema['additionalProperties'] = false;
  }
  if (schema['nullable'] === true) {
    delete schema['nullable'];
    if (typeof schema['type'] === 'string' && schema['allOf'] === undefined && schema['$ref'] === undefined) {
      schema['type'] = [schema['type'], 'null'];
      if (Array.isArray(schema['enum'])) schema['enum'] = [...schema['enum'], null];
      return schema;
    }
    return { anyOf: [schema, { type: 'null' }] };
  }
  return schema;
}

function isJson(mediaType: string): boolean {
  return /\bjson\b/.test(mediaType);
}

function pointerEscape(segment: string): string {
  return encodeURIComponent(segment.replaceAll('~', '~0').replaceAll('/', '~1'));
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
