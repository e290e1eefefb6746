import { BadRequestException, ValidationPipe } from '@nestjs/common';
import fc from 'fast-check';
import { ListUsersQuery } from '../admin/dto/list-users.query.js';
import { NoteDto } from '../admin/dto/note.dto.js';
import { RevokeByFilterDto } from '../admin/dto/revoke-by-filter.dto.js';
import { LogoutAllDto } from '../logout/logout.dto.js';
import { LoginDto } from '../signin/sign-in.dto.js';
import { assertSafeInput, DATE_TIME_PATTERN, INPUT_LIMITS, invalidTextProblem, libraryValidationPipe, noInput, validateBody } from './validation.js';

function nested(depth: number, leaf: unknown = 1): unknown {
  let value = leaf;
  for (let level = 0; level < depth; level += 1) value = level % 2 === 0 ? [value] : { a: value };
  return value;
}

async function badRequestMessage(work: () => unknown): Promise<string> {
  try {
    await work();
  } catch (error) {
    expect(error).toBeInstanceOf(BadRequestException);
    const body = (error as BadRequestException).getResponse() as { message: string | string[] };
    return Array.isArray(body.message) ? body.message.join(' | ') : body.message;
  }
  throw new Error('expected a 400');
}

const FILTER = { ip: '203.0.113.7', note: 'incident 2026-014' };

describe('invalidTextProblem', () => {
  it.each([
    ['a NUL character', 'a\u0000b', 'NUL'],
    ['a bell', 'a\u0007b', 'control character'],
    ['an escape', '\u001b[31m', 'control character'],
    ['DEL', 'a\u007f', 'control character'],
    ['a C1 control', 'a\u0085', 'control character'],
    ['a lone high surrogate', 'a\ud800', 'surrogate'],
    ['a lone low surrogate', '\udc00b', 'surrogate'],
    ['two high surrogates', '\ud800\ud800\udc00', 'surrogate'],
    ['U+FFFD, what a decoder made of invalid UTF-8 bytes', 'Password-aa-\ufffd\ufffd', 'not valid UTF-8'],
  ])('should refuse %s', (_name, text, problem) => {
    expect(invalidTextProblem(text)).toContain(problem);
  });

  it.each([
    ['plain text', 'Laptop reported stolen'],
    ['tab, line feed and carriage return', 'a\tb\r\nc'],
    ['an emoji (a surrogate pair)', 'locked out 🔒'],
    ['non-Latin text', 'Zugriff verweigert, 不正アクセス'],
  ])('should accept %s', (_name, text) => {
    expect(invalidTextProblem(text)).toBeUndefined();
  });

  it('should accept every string of well-formed text without controls', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), (text) => {
        // eslint-disable-next-line no-control-regex -- finding control characters is what this pattern is for
        const hasControl = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/.test(text);
        expect(invalidTextProblem(text) === undefined).toBe(!hasControl && !text.includes('\ufffd'));
      }),
      { seed: 12, numRuns: 500 },
    );
  });
});

describe('assertSafeInput', () => {
  describe('when the input nests deeper than the limit', () => {
    it('should answer 400 without overflowing the stack, even 200,000 levels deep', async () => {
      expect(await badRequestMessage(() => assertSafeInput(nested(200_000), 'body'))).toBe(`body nests deeper than ${INPUT_LIMITS.maxDepth} levels`);
    });

    it('should accept input exactly at the limit', () => {
      expect(() => assertSafeInput(nested(INPUT_LIMITS.maxDepth), 'body')).not.toThrow();
      expect(() => assertSafeInput(nested(INPUT_LIMITS.maxDepth + 1), 'body')).toThrow(BadRequestException);
    });
  });

  describe('when the input holds too many values', () => {
    it('should answer 400', async () => {
      expect(await badRequestMessage(() => assertSafeInput({ ids: new Array(INPUT_LIMITS.maxValues).fill('x') }, 'body'))).toContain('more than');
    });
  });

  describe('when a string or a key is not valid text', () => {
    it('should name where the problem is, never the value', async () => {
      const message = await badRequestMessage(() => assertSafeInput({ userIds: ['ok', 'sec\u0000ret'] }, 'body'));

      expect(message).toBe('body.userIds[1] contains a NUL character');
      expect(message).not.toContain('sec');
    });

    it('should check property names too', async () => {
      expect(await badRequestMessage(() => assertSafeInput({ 'no\u0000te': 'x' }, 'body'))).toContain('property name');
    });
  });

  describe('when a property would reach the prototype', () => {
    it.each(['__proto__', 'constructor', 'prototype'])('should refuse %s', async (key) => {
      expect(await badRequestMessage(() => assertSafeInput(JSON.parse(`{"${key}": {"x": 1}}`), 'body'))).toContain(key);
    });
  });
});

describe('libraryValidationPipe', () => {
  const body = (metatype: new () => object) => ({ type: 'body' as const, metatype });

  describe('when the body is not a JSON object', () => {
    it.each([
      ['null', null],
      ['an array', [FILTER]],
      ['a string', 'ip=1.2.3.4'],
      ['a number', 3],
    ])('should answer 400 for %s', async (_name, value) => {
      expect(await badRequestMessage(() => libraryValidationPipe.transform(value, body(RevokeByFilterDto)))).toBe('The body must be a JSON object.');
    });

    it('should take an absent body as empty', async () => {
      await expect(libraryValidationPipe.transform(undefined, body(LogoutAllDto))).resolves.toEqual(new LogoutAllDto());
    });
  });

  describe('when an optional field is null', () => {
    it('should answer 400 for dryRun: null instead of reading it as "not a dry run"', async () => {
      expect(await badRequestMessage(() => libraryValidationPipe.transform({ ...FILTER, dryRun: null }, body(RevokeByFilterDto)))).toContain(
        'dryRun must be true or false',
      );
    });

    it.each(['ip', 'userAgentContains', 'createdBefore', 'lastActiveBefore', 'userIds'])('should answer 400 for %s: null', async (field) => {
      await expect(libraryValidationPipe.transform({ ...FILTER, [field]: null }, body(RevokeByFilterDto))).rejects.toThrow(BadRequestException);
    });

    it.each([
      ['keepCurrent', LogoutAllDto],
      ['note', NoteDto],
    ] as const)('should answer 400 for %s: null', async (field, dto) => {
      await expect(libraryValidationPipe.transform({ [field]: null }, body(dto))).rejects.toThrow(BadRequestException);
    });
  });

  describe('when a required field is absent', () => {
    it('should say it is required, once, rather than every rule it would break', async () => {
      const error = await libraryValidationPipe.transform({}, body(LoginDto)).then(
        () => undefined,
        (thrown: unknown) => thrown,
      );

      expect((error as BadRequestException).getResponse()).toMatchObject({ message: ['email is required', 'password is required'] });
    });

    it("should keep the rules' messages for a null, which is sent, not absent", async () => {
      const error = await libraryValidationPipe.transform({ email: null, password: 'x' }, body(LoginDto)).then(
        () => undefined,
        (thrown: unknown) => thrown,
      );

      expect((error as BadRequestException).getResponse()).toMatchObject({ message: expect.arrayContaining(['email must be an email address']) });
    });
  });

  describe('when a value is of the wrong type', () => {
    const messagesFor = async (value: object) =>
      (
        (await libraryValidationPipe.transform(value, body(LoginDto)).then(
          () => undefined,
          (thrown: unknown) => (thrown as BadRequestException).getResponse(),
        )) as { message: string[] }
      ).message;

    it('should say what type it must be, not that its length is wrong', async () => {
      expect(await messagesFor({ email: 'ada@example.com', password: 12345 })).toEqual(['password must be a string']);
      expect(await messagesFor({ email: null, password: 'x' })).toEqual(['email must be an email address']);
    });

    it('should say a query value is no number, not that it is out of range, and still tell a number its range', async () => {
      const pageMessages = (query: object) =>
        libraryValidationPipe.transform(query, { type: 'query', metatype: ListUsersQuery }).then(
          () => [],
          (thrown: unknown) => ((thrown as BadRequestException).getResponse() as { message: string[] }).message,
        );
      expect(await pageMessages({ pageSize: 'abc' })).toEqual(['pageSize must be a whole number from 1 to 100']);
      expect(await pageMessages({ page: 'abc' })).toEqual(['page must be a whole number from 1']);
      expect(await pageMessages({ pageSize: '500' })).toEqual(['pageSize must not be greater than 100']);
      expect(await pageMessages({ pageSize: '0' })).toEqual(['pageSize must not be less than 1']);
    });

    it('should still tell a string that it is too long', async () => {
      expect(await messagesFor({ email: 'ada@example.com', password: 'x'.repeat(1025) })).toEqual([
        'password must be shorter than or equal to 1024 characters',
      ]);
    });

    it('should say each message once', async () => {
      const messages = (
        await badRequestMessage(() => libraryValidationPipe.transform({ ...FILTER, createdBefore: 'yesterday' }, body(RevokeByFilterDto)))
      ).split(' | ');
      expect(messages.length).toBe(new Set(messages).size);
      expect(messages.length).toBeGreaterThan(0);
    });
  });

  describe('when an optional field is absent', () => {
    it('should accept it', async () => {
      await expect(libraryValidationPipe.transform({ ...FILTER }, body(RevokeByFilterDto))).resolves.toMatchObject(FILTER);
      await expect(libraryValidationPipe.transform({ dryRun: true, ...FILTER }, body(RevokeByFilterDto))).resolves.toMatchObject({ dryRun: true });
    });
  });

  describe("when a plain HTML form's body carries the XSRF value as _csrf", () => {
    // SessionGuard checks the field before any pipe; it is no property of the route's input.
    it('should take it out of the input of any route, not refuse it as an unknown property', async () => {
      await expect(libraryValidationPipe.transform({ keepCurrent: true, _csrf: 'xsrf-value' }, body(LogoutAllDto))).resolves.toEqual(
        Object.assign(new LogoutAllDto(), { keepCurrent: true }),
      );
      expect(noInput.transform({ _csrf: 'xsrf-value' }, { type: 'body' })).toBeUndefined();
    });

    it('should still answer 400 for one that is no text or too long, and for other unknown properties', async () => {
      for (const value of [null, 42, ['a'], 'x'.repeat(257)]) {
        expect(await badRequestMessage(() => libraryValidationPipe.transform({ _csrf: value }, body(LogoutAllDto)))).toBe(
          '_csrf must be a string of at most 256 characters',
        );
      }
      expect(await badRequestMessage(() => libraryValidationPipe.transform({ _csrf: 'v', other: 1 }, body(LogoutAllDto)))).toBe(
        'property other should not exist',
      );
      expect(await badRequestMessage(() => noInput.transform({ _csrf: 'v', other: 1 }, { type: 'body' }))).toBe('property other should not exist');
    });
  });

  describe('when any value of any type is sent as dryRun', () => {
    it('should accept only true and false', async () => {
      await fc.assert(
        fc.asyncProperty(fc.jsonValue(), async (value) => {
          const accepted = await libraryValidationPipe.transform({ ...FILTER, dryRun: value }, body(RevokeByFilterDto)).then(
            () => true,
            () => false,
          );
          expect(accepted).toBe(typeof value === 'boolean');
        }),
        { seed: 12, numRuns: 300 },
      );
    });
  });

  describe('when a query parameter is not a plain whole number', () => {
    it.each(['1e2', '0x10', ' 7', '7.0', '-', '1,5'])('should answer 400 for page=%s', async (page) => {
      await expect(libraryValidationPipe.transform({ page }, { type: 'query', metatype: ListUsersQuery })).rejects.toThrow(BadRequestException);
    });

    it('should read plain digits', async () => {
      await expect(libraryValidationPipe.transform({ page: '7', pageSize: '100' }, { type: 'query', metatype: ListUsersQuery })).resolves.toMatchObject({
        page: 7,
        pageSize: 100,
      });
    });
  });

  describe('when a query parameter holds a NUL', () => {
    it('should answer 400 before anything reads it', async () => {
      expect(await badRequestMessage(() => libraryValidationPipe.transform({ search: 'a\u0000' }, { type: 'query', metatype: ListUsersQuery }))).toBe(
        'query.search contains a NUL character',
      );
    });
  });

  describe('when a custom parameter decorator supplies the value', () => {
    it('should not inspect the library object it carries', async () => {
      const auth = { session: { tokenHash: Buffer.alloc(32) }, user: { email: 'a@example.com' } };

      await expect(libraryValidationPipe.transform(auth, { type: 'custom' })).resolves.toBe(auth);
    });
  });
});

describe("libraryValidationPipe after a host's global ValidationPipe", () => {
  it.each([{ transform: true }, { whitelist: true }, { whitelist: true, forbidNonWhitelisted: true, transform: true }])(
    'should read the numbers the host pipe (%p) already converted, and still refuse malformed ones',
    async (options) => {
      const metadata = { type: 'query' as const, metatype: ListUsersQuery };
      const host = new ValidationPipe(options);

      const query = (await libraryValidationPipe.transform(await host.transform({ page: '2', pageSize: '5' }, metadata), metadata)) as ListUsersQuery;

      expect([query.page, query.pageSize]).toEqual([2, 5]);
      await expect(host.transform({ page: '2.5' }, metadata)).rejects.toBeInstanceOf(BadRequestException);
    },
  );
});

describe('noInput', () => {
  const query = { type: 'query' as const };
  const body = { type: 'body' as const };

  it('should pass nothing, and an empty query or body, as nothing', () => {
    expect(noInput.transform(undefined, query)).toBeUndefined();
    expect(noInput.transform({}, query)).toBeUndefined();
    expect(noInput.transform({}, body)).toBeUndefined();
  });

  it('should refuse every parameter or property, named as the validation pipe names unknown ones', () => {
    try {
      noInput.transform({ dryRun: 'true', x: ['1', '2'] }, query);
      throw new Error('accepted');
    } catch (error) {
      expect(error).toBeInstanceOf(BadRequestException);
      expect((error as BadRequestException).getResponse()).toEqual({
        statusCode: 400,
        message: ['property dryRun should not exist', 'property x should not exist'],
        error: 'Bad Request',
      });
    }
  });

  it('should refuse a body that is not an object, and invalid text before naming it', () => {
    expect(() => noInput.transform([], body)).toThrow('The body must be a JSON object.');
    expect(() => noInput.transform('x', body)).toThrow('The body must be a JSON object.');
    expect(() => noInput.transform(null, body)).toThrow('The body must be a JSON object.');
    expect(() => noInput.transform({ 'a\u0000b': 1 }, query)).toThrow('a property name in query contains a NUL character');
  });
});

describe('validateBody', () => {
  it('should validate a login body as the pipe would, before any credential check', async () => {
    await expect(validateBody(LoginDto, { email: 'a@example.com', password: 'x', extra: 1 })).rejects.toThrow(BadRequestException);
    await expect(validateBody(LoginDto, { email: 'a@example.com', password: 'x', rememberMe: null })).rejects.toThrow(BadRequestException);
    await expect(validateBody(LoginDto, { email: nested(5000), password: 'x' })).rejects.toThrow(BadRequestException);
    await expect(validateBody(LoginDto, { email: 'a@example.com', password: 'x' })).resolves.toBeInstanceOf(LoginDto);
  });
});

describe('DATE_TIME_PATTERN', () => {
  it.each(['2026-01-01T00:00:00Z', '2026-01-01T00:00:00.123Z', '2026-12-31T23:59:59+05:30', '1999-06-15T12:00:00-08:00'])('should accept %s', (value) => {
    expect(DATE_TIME_PATTERN.test(value)).toBe(true);
  });

  it.each(['2026-01-01', '2026-01-01 00:00:00Z', '2026-01-01T00:00:00', '0000-01-01T00:00:00Z', '2026-13-01T00:00:00Z', '2026-01-01T24:00:00Z', 'last week'])(
    'should refuse %s',
    (value) => {
      expect(DATE_TIME_PATTERN.test(value)).toBe(false);
    },
  );
});
