import { jest } from '@jest/globals';
import { type ExecutionContext, Logger } from '@nestjs/common';
import { GUARDS_METADATA } from '@nestjs/common/constants.js';
import { type DiscoveryService, MetadataScanner, Reflector } from '@nestjs/core';
import { MessagePattern, RpcException } from '@nestjs/microservices';
import { Public, Roles } from './auth.decorators.js';
import { MessageHandlersGuard } from './message-handlers.guard.js';

class OwnGuard {
  canActivate() {
    return true;
  }
}

class Messages {
  @MessagePattern('report')
  report() {
    return 'secret';
  }

  @Public()
  @MessagePattern('hello')
  hello() {
    return 'hello';
  }

  @Public()
  @Roles('admin')
  @MessagePattern('admin')
  admin() {
    return 'admin';
  }

  // A guard of the host's own: kept, after the library's.
  @MessagePattern('own')
  @((target: object, key: string | symbol, descriptor: PropertyDescriptor) => {
    Reflect.defineMetadata(GUARDS_METADATA, [OwnGuard], descriptor.value as object);
  })
  own() {
    return 'own';
  }

  httpOnly() {
    return 'not a message handler';
  }
}

const discovery = { getControllers: () => [{ metatype: Messages }] } as unknown as DiscoveryService;
const guardsOf = (name: keyof Messages) => (Reflect.getMetadata(GUARDS_METADATA, Messages.prototype[name]) as unknown[] | undefined) ?? [];
const context = (type: string, name: keyof Messages): ExecutionContext =>
  ({ getType: () => type, getHandler: () => Messages.prototype[name], getClass: () => Messages }) as unknown as ExecutionContext;

async function outcome(result: boolean | Promise<boolean>): Promise<unknown> {
  return Promise.resolve(result).then(
    (allowed) => allowed,
    (error: unknown) => error,
  );
}

describe('MessageHandlersGuard', () => {
  const guard = new MessageHandlersGuard(discovery, new MetadataScanner(), new Reflector());

  it('should put itself first on every message handler, and on nothing else', () => {
    expect(guardsOf('report')).toEqual([guard]);
    expect(guardsOf('own')).toEqual([guard, OwnGuard]);
    expect(guardsOf('httpOnly')).toEqual([]);
  });

  it('should not add a second one when another app in the process builds its own', () => {
    new MessageHandlersGuard(discovery, new MetadataScanner(), new Reflector());

    expect(guardsOf('report')).toEqual([guard]);
  });

  it('should refuse a message to a handler that is not @Public() with the 401 as an RpcException', async () => {
    const refusal = await outcome(guard.canActivate(context('rpc', 'report')));

    expect(refusal).toBeInstanceOf(RpcException);
    expect((refusal as RpcException).getError()).toEqual({ status: 'error', statusCode: 401, message: expect.any(String), code: 'unauthenticated' });
  });

  it('should let a message reach a @Public() handler, but not one that also needs a role', async () => {
    expect(await outcome(guard.canActivate(context('rpc', 'hello')))).toBe(true);
    expect(await outcome(guard.canActivate(context('rpc', 'admin')))).toBeInstanceOf(RpcException);
  });

  it('should name at start-up, once, each handler that refuses every message', () => {
    const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    try {
      guard.onApplicationBootstrap();

      expect(warn).toHaveBeenCalledTimes(1);
      expect(String(warn.mock.calls[0]?.[0])).toContain('Messages.report, Messages.admin, Messages.own.');
      expect(String(warn.mock.calls[0]?.[0])).not.toContain('Messages.hello');
    } finally {
      warn.mockRestore();
    }
  });

  it('should leave every other context to the global guards', async () => {
    expect(await outcome(guard.canActivate(context('http', 'report')))).toBe(true);
    expect(await outcome(guard.canActivate(context('ws', 'report')))).toBe(true);
  });
});
