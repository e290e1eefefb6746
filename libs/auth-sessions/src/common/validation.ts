import { type ArgumentMetadata, BadRequestException, HttpStatus, type PipeTransform, ValidationPipe, type ValidationPipeOptions } from '@nestjs/common';
import { IsISO8601, Matches, ValidateIf, ValidationError } from 'class-validator';

/**
 * How deep request input may nest (objects and arrays) and how many values it may hold in all.
 * The library's own bodies nest two levels (`{ userIds: [...] }`); the limits only exist so that no
 * input can exhaust the stack or the CPU of class-transformer and class-validator, which recurse.
 */
export const INPUT_LIMITS = { maxDepth: 16, maxValues: 10_000 } as const;

// NUL, the other C0 controls except tab, line feed and carriage return, DEL and the C1 controls.
// PostgreSQL cannot store NUL in text at all; the rest has no meaning in any field the library reads.
// eslint-disable-next-line no-control-regex -- finding control characters is what this pattern is for
const CONTROL_CHARACTERS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/;
// A high surrogate not followed by a low one, or a low one not preceded by a high one.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
// Keys that class-transformer would treat as the object's prototype or constructor.
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

// U+FFFD REPLACEMENT CHARACTER: what a UTF-8 decoder puts where the bytes were not UTF-8.
const REPLACEMENT_CHARACTER = '\uFFFD';

/**
 * Why a piece of text cannot be accepted, or undefined when it can: NUL and other control
 * characters (tab, line feed and carriage return are allowed), lone UTF-16 surrogates, which
 * are not text and cannot be encoded as UTF-8 without silently changing them, and U+FFFD. Both
 * platforms decode a body's invalid UTF-8 to U+FFFD without an error, so `Password-\xff` and
 * `Password-\xc0\x80` would arrive as the same string: a password or token that was not what the
 * client meant. Nobody types U+FFFD on purpose, so its presence is refused as invalid UTF-8.
 */
export function invalidTextProblem(text: string): string | undefined {
  if (text.includes('\u0000')) return 'contains a NUL character';
  if (CONTROL_CHARACTERS.test(text)) return 'contains a control character';
  if (LONE_SURROGATE.test(text)) return 'is not valid Unicode (a lone surrogate)';
  if (text.includes(REPLACEMENT_CHARACTER)) return 'is not valid UTF-8 (send the text encoded as UTF-8)';
  return undefined;
}

/**
 * Checks request input before anything recursive reads it: depth and size within `INPUT_LIMITS`,
 * every string and every key valid text (`invalidTextProblem`), no prototype keys. Iterative, so a
 * deeply nested body costs a loop, never the stack. Throws a 400 naming the first problem found
 * (the value itself is never echoed).
 * @param where the name of the input in messages: `body`, `query`, a parameter name
 */
export function assertSafeInput(value: unknown, where: string): void {
  const pending: Array<{ value: unknown; path: string; depth: number }> = [{ value, path: where, depth: 0 }];
  let seen = 0;
  while (pending.length > 0) {
    const next = pending.pop()!;
    seen += 1;
    if (seen > INPUT_LIMITS.maxValues) throw badInput(`${where} holds more than ${INPUT_LIMITS.maxValues} values`);
    if (typeof next.value === 'string') {
      const problem = invalidTextProblem(next.value);
      if (problem) throw badInput(`${next.path} ${problem}`);
      continue;
    }
    if (typeof next.value !== 'object' || next.value === null) continue;
    if (next.depth >= INPUT_LIMITS.maxDepth) throw badInput(`${where} nests deeper than ${INPUT_LIMITS.maxDepth} levels`);
    if (Array.isArray(next.value)) {
      for (let index = next.value.length - 1; index >= 0; index -= 1) {
        pending.push({ value: next.value[index], path: `${next.path}[${index}]`, depth: next.depth + 1 });
      }
      continue;
    }
    for (const key of Object.keys(next.value)) {
      const problem = invalidTextProblem(key);
      if (problem) throw badInput(`a property name in ${next.path} ${problem}`);
      if (FORBIDDEN_KEYS.has(key)) throw badInput(`${next.path} has a property named ${key}, which is not allowed`);
      pending.push({ value: (next.value as Record<string, unknown>)[key], path: `${next.path}.${key}`, depth: next.depth + 1 });
    }
  }
}

/**
 * The library's validation pipe: `assertSafeInput` first, then a body must be a JSON object (or
 * absent), then class-transformer and class-validator with unknown properties refused. Hosts may
 * use it for their own DTOs (`new InputValidationPipe()`), e.g. for a registration endpoint.
 */
export class InputValidationPipe extends ValidationPipe {
  constructor(options: ValidationPipeOptions = {}) {
    super({ whitelist: true, forbidNonWhitelisted: true, transform: true, stopAtFirstError: false, ...options });
  }

  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    // Custom parameter decorators (`@CurrentAuth()`) carry the library's own objects, not input.
    if (metadata.type !== 'custom') assertSafeInput(value, metadata.data ?? metadata.type);
    if (metadata.type === 'body' && metadata.data === undefined && isClass(metadata.metatype) && value !== undefined) {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) throw badInput('The body must be a JSON object.');
    }
    return super.transform(metadata.type === 'body' && metadata.data === undefined ? withoutCsrfField(value) : value, metadata);
  }

  /**
   * A required property that was not sent is one message, `x is required`, not every rule it would
   * have broken; a value that is not text is not also told its length is wrong (`password: 12345`
   * read "must be shorter than or equal to 1024 characters"), nor a value that is not a number its
   * range (`pageSize=abc` read "must not be greater than 100"); and a message is said once.
   */
  protected override flattenValidationErrors(validationErrors: ValidationError[]): string[] {
    return [...new Set(super.flattenValidationErrors(validationErrors.map((error) => withoutLengthOfNonText(requiredWhenMissing(error)))))];
  }
}

/** The rules about a text's length: they only mean something for a string. */
const LENGTH_RULES = new Set(['minLength', 'maxLength', 'isLength']);
/** The rules about a number's range: they only mean something for a number (`pageSize=abc` is not "greater than 100"). */
const RANGE_RULES = new Set(['min', 'max']);

/**
 * The error without the rules that do not apply to its value (length rules when it is not a string,
 * range rules when it is not a finite number), when another rule says what is wrong.
 */
function withoutLengthOfNonText(error: ValidationError): ValidationError {
  const children = error.children?.map(withoutLengthOfNonText);
  const constraints = error.constraints;
  if (!constraints) return Object.assign(new ValidationError(), error, { children });
  const isText = typeof error.value === 'string';
  const isNumber = typeof error.value === 'number' && Number.isFinite(error.value);
  const kept = Object.fromEntries(
    Object.entries(constraints).filter(([rule]) => !(LENGTH_RULES.has(rule) && !isText) && !(RANGE_RULES.has(rule) && !isNumber)),
  );
  return Object.assign(new ValidationError(), error, { children }, Object.keys(kept).length > 0 ? { constraints: kept } : {});
}

/**
 * The error as it reads for a property that is absent (`undefined`; a `null` was sent and keeps its
 * messages). Optional properties never get here: `Omittable()` skips their rules when absent.
 */
function requiredWhenMissing(error: ValidationError): ValidationError {
  const children = error.children?.map(requiredWhenMissing);
  const missing = error.value === undefined && error.constraints !== undefined;
  return Object.assign(new ValidationError(), error, { children }, missing ? { constraints: { isDefined: `${error.property} is required` } } : {});
}

/** The library validates its own DTOs, whatever pipes the host app installs. */
export const libraryValidationPipe = new InputValidationPipe();

/**
 * For a route that reads no query string (or no body): any parameter (or property) is a 400, as an
 * unknown one is where the route reads some (`property x should not exist`), and the route runs
 * only when there was nothing to ignore. Without it, `?dryRun=true` on a revocation was silently
 * dropped and the revocation ran. Use as `@Query(noInput) _query: undefined`.
 */
export const noInput: PipeTransform<unknown, undefined> = {
  transform(input: unknown, metadata: ArgumentMetadata): undefined {
    if (input === undefined) return undefined;
    assertSafeInput(input, metadata.type);
    const value = metadata.type === 'body' ? withoutCsrfField(input) : input;
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw badInput(metadata.type === 'body' ? 'The body must be a JSON object.' : `The ${metadata.type} must be empty.`);
    }
    const unknown = Object.keys(value);
    if (unknown.length > 0) {
      throw new BadRequestException({
        statusCode: HttpStatus.BAD_REQUEST,
        message: unknown.map((key) => `property ${key} should not exist`),
        error: 'Bad Request',
      });
    }
    return undefined;
  },
};

/**
 * Validates a body against a DTO outside a pipe (guards run before pipes), exactly as
 * `libraryValidationPipe` would: 400 on any problem. Returns the DTO instance.
 */
export async function validateBody<T extends object>(dto: new () => T, body: unknown): Promise<T> {
  return (await libraryValidationPipe.transform(body, { type: 'body', metatype: dto })) as T;
}

/**
 * An optional property: absent (`undefined`) skips its other validators, but `null` does not, so a
 * `null` where the contract expects a boolean, string or list is a 400 like any other wrong type.
 * (class-validator's `@IsOptional()` treats `null` as absent: a `dryRun: null` once read as "not a
 * dry run".)
 */
export const Omittable = (): PropertyDecorator => ValidateIf((_object: object, value: unknown) => value !== undefined);

/**
 * The date-times the API accepts (RFC 3339, what OpenAPI's `format: date-time` means): a full date,
 * `T`, a time with optional fraction, and `Z` or a numeric offset; years 1000 to 9999, so every
 * accepted value is a time that both JavaScript and PostgreSQL can represent.
 */
export const DATE_TIME_PATTERN =
  /^[1-9]\d{3}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01])T(?:[01]\d|2[0-3]):[0-5]\d:[0-5]\d(?:\.\d{1,9})?(?:Z|[+-](?:[01]\d|2[0-3]):[0-5]\d)$/;

/** A date-time as `DATE_TIME_PATTERN` describes it, and a real calendar date (no 30 February). */
export const IsDateTime = (name: string): PropertyDecorator => {
  const message = `${name} must be a date-time such as 2026-01-01T00:00:00Z`;
  const pattern = Matches(DATE_TIME_PATTERN, { message });
  const calendar = IsISO8601({ strict: true, strictSeparator: true }, { message });
  return (target: object, property: string | symbol) => {
    pattern(target, property);
    calendar(target, property);
  };
};

/** The OpenAPI description of a date-time input (`IsDateTime`). */
export const DATE_TIME_SCHEMA = { type: 'string', format: 'date-time', pattern: DATE_TIME_PATTERN.source } as const;

function isClass(metatype: unknown): boolean {
  return typeof metatype === 'function' && ![String, Number, Boolean, Array, Object].includes(metatype as never);
}

/** The field a plain HTML form carries the XSRF value in (the contract's alternative to the `X-XSRF-TOKEN` header). */
const CSRF_FIELD = '_csrf';
const CSRF_FIELD_MAX_LENGTH = 256;

/**
 * A body without its `_csrf` field: `SessionGuard` has checked it before any pipe runs, and it is no
 * property of the route's input, so a form post of any state-changing route may carry it. A value
 * that is not text, or too long to be an XSRF value, is still a 400.
 */
function withoutCsrfField(body: unknown): unknown {
  if (typeof body !== 'object' || body === null || Array.isArray(body) || !Object.hasOwn(body, CSRF_FIELD)) return body;
  const { [CSRF_FIELD]: field, ...rest } = body as Record<string, unknown>;
  if (typeof field !== 'string' || field.length > CSRF_FIELD_MAX_LENGTH) {
    throw badInput(`${CSRF_FIELD} must be a string of at most ${CSRF_FIELD_MAX_LENGTH} characters`);
  }
  return rest;
}

function badInput(message: string): BadRequestException {
  return new BadRequestException({ statusCode: HttpStatus.BAD_REQUEST, message, error: 'Bad Request' });
}
