import { Body, type ExecutionContext, Param, ParseUUIDPipe, Query, UsePipes, ValidationPipe } from '@nestjs/common';
import { IsBoolean, IsOptional, IsString } from 'class-validator';
import { libraryValidationPipe, noInput, Omittable } from '../common/validation.js';
import { RouteInput } from './route-input.js';

class RevokeDto {
  @IsString()
  note!: string;

  @Omittable()
  @IsBoolean()
  dryRun?: boolean;
}

@UsePipes(libraryValidationPipe)
class Routes {
  revoke(@Body() _body: RevokeDto, @Query(noInput) _query: undefined) {
    return undefined;
  }

  one(@Param('id', new ParseUUIDPipe()) _id: string) {
    return undefined;
  }

  unchecked(@Query('returnTo') _returnTo: unknown) {
    return undefined;
  }
}

class Unpiped {
  open(@Body() _body: unknown) {
    return undefined;
  }
}

const context = (type: object, handler: string): ExecutionContext =>
  ({ getClass: () => type, getHandler: () => (type as { prototype: Record<string, unknown> }).prototype[handler] }) as unknown as ExecutionContext;

async function outcome(check: Promise<void> | undefined): Promise<unknown> {
  return check === undefined
    ? 'nothing to check'
    : check.then(
        () => 'accepted',
        (error: { status?: number }) => error.status,
      );
}

describe('RouteInput', () => {
  const input = new RouteInput();

  it('should accept input its pipes accept', async () => {
    expect(await outcome(input.check(context(Routes, 'revoke'), { headers: {}, body: { note: 'why', dryRun: true }, query: {} }))).toBe('accepted');
  });

  // What a host's ValidationPipe with implicit conversion would have turned into a boolean first.
  it.each(['', 'false', 0, null])('should refuse dryRun %j as the route would, from the raw body', async (dryRun) => {
    expect(await outcome(input.check(context(Routes, 'revoke'), { headers: {}, body: { note: 'why', dryRun }, query: {} }))).toBe(400);
  });

  it("should run a parameter's own pipes too: a query on a route that reads none, a path id that is not a UUID", async () => {
    expect(await outcome(input.check(context(Routes, 'revoke'), { headers: {}, body: { note: 'why' }, query: { dryRun: 'true' } }))).toBe(400);
    expect(await outcome(input.check(context(Routes, 'one'), { headers: {}, params: { id: 'abc' } }))).toBe(400);
    expect(await outcome(input.check(context(Routes, 'one'), { headers: {}, params: { id: '6f9f3b9e-2c54-4a8e-9d59-1b1f7c4c9a11' } }))).toBe('accepted');
  });

  it('should check nothing where the route has no pipe of its own', async () => {
    expect(await outcome(input.check(context(Unpiped, 'open'), { headers: {}, body: { anything: 1 } }))).toBe('nothing to check');
  });

  it('should pass a named query value, not the whole query, to the class pipe', async () => {
    expect(await outcome(input.check(context(Routes, 'unchecked'), { headers: {}, query: { returnTo: '/devices' } }))).toBe('accepted');
  });

  it('is the pipe Nest runs after the host\'s: the control, a ValidationPipe with implicit conversion makes "" a false', async () => {
    const host = new ValidationPipe({ transform: true, transformOptions: { enableImplicitConversion: true } });
    class Typed {
      @IsOptional()
      @IsBoolean()
      dryRun?: boolean;
    }
    Reflect.defineMetadata('design:type', Boolean, Typed.prototype, 'dryRun');
    expect(await host.transform({ dryRun: '' }, { type: 'body', metatype: Typed })).toEqual({ dryRun: false });
  });
});
