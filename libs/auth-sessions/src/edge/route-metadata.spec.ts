import { jest } from '@jest/globals';
import { Controller, Get, SetMetadata } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { ExecutionContext } from '@nestjs/common';
import { RouteMetadata } from './route-metadata.js';

const FLAG = 'test:flag';

@Controller()
@SetMetadata(FLAG, 'class')
class Decorated {
  @Get('a')
  @SetMetadata(FLAG, 'handler')
  a(): void {}

  @Get('b')
  b(): void {}
}

@Controller()
class Plain {
  @Get('c')
  c(): void {}
}

// An inherited handler is the same function on both classes; the class's own metadata must still count.
@Controller()
@SetMetadata(FLAG, 'subclass')
class Sub extends Plain {}

const contextOf = (type: object, handler: object): ExecutionContext => ({ getClass: () => type, getHandler: () => handler }) as unknown as ExecutionContext;

describe('RouteMetadata', () => {
  it('should read like Reflector.getAllAndOverride: the handler first, then its class', () => {
    const routes = new RouteMetadata(new Reflector());
    expect(routes.get(FLAG, contextOf(Decorated, Decorated.prototype.a))).toBe('handler');
    expect(routes.get(FLAG, contextOf(Decorated, Decorated.prototype.b))).toBe('class');
    expect(routes.get(FLAG, contextOf(Plain, Plain.prototype.c))).toBeUndefined();
  });

  it('should keep apart a handler inherited by another class', () => {
    const routes = new RouteMetadata(new Reflector());
    expect(routes.get(FLAG, contextOf(Plain, Plain.prototype.c))).toBeUndefined();
    expect(routes.get(FLAG, contextOf(Sub, Sub.prototype.c))).toBe('subclass');
    expect(routes.get(FLAG, contextOf(Plain, Plain.prototype.c))).toBeUndefined();
  });

  it('should read the reflector once per route and key', () => {
    const reflector = new Reflector();
    const read = jest.spyOn(reflector, 'getAllAndOverride');
    const routes = new RouteMetadata(reflector);
    for (let i = 0; i < 3; i++) routes.get(FLAG, contextOf(Decorated, Decorated.prototype.b));
    routes.get('other', contextOf(Decorated, Decorated.prototype.b));
    routes.get('other', contextOf(Decorated, Decorated.prototype.b));
    expect(read).toHaveBeenCalledTimes(2);
  });

  it('should treat only true as a set flag', () => {
    const routes = new RouteMetadata(new Reflector());
    expect(routes.flag(FLAG, contextOf(Decorated, Decorated.prototype.a))).toBe(false);
    @SetMetadata(FLAG, true)
    class On {
      h(): void {}
    }
    expect(routes.flag(FLAG, contextOf(On, On.prototype.h))).toBe(true);
  });
});
