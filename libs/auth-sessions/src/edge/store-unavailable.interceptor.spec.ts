import type { CallHandler, ExecutionContext } from '@nestjs/common';
import { RpcException } from '@nestjs/microservices';
import { WsException } from '@nestjs/websockets';
import { firstValueFrom, throwError } from 'rxjs';
import { StoreUnavailableError } from '../sessions/session.errors.js';
import type { HttpEdge } from './http-edge.js';
import { StoreUnavailableInterceptor } from './store-unavailable.interceptor.js';

const refused = (): Error => Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
const failing = (error: Error): CallHandler => ({ handle: () => throwError(() => error) });
const context = (type: string): ExecutionContext =>
  ({
    getType: () => type,
    switchToHttp: () => ({ getRequest: () => ({}), getResponse: () => undefined }),
    switchToWs: () => ({ getClient: () => ({}) }),
    switchToRpc: () => ({}),
  }) as unknown as ExecutionContext;

async function failureOf(type: string, error: Error): Promise<unknown> {
  const interceptor = new StoreUnavailableInterceptor({} as HttpEdge);
  return firstValueFrom(interceptor.intercept(context(type), failing(error))).then(
    () => undefined,
    (failure: unknown) => failure,
  );
}

describe('StoreUnavailableInterceptor', () => {
  it('should turn a driver error into 503 service_unavailable, without the driver message', async () => {
    const failure = await failureOf('http', refused());

    expect(failure).toBeInstanceOf(StoreUnavailableError);
    expect(JSON.stringify((failure as StoreUnavailableError).getResponse())).not.toContain('ECONNREFUSED');
  });

  it('should give a gateway\'s client the 503 as a WsException, not Nest\'s "Internal server error"', async () => {
    const failure = await failureOf('ws', refused());

    expect(failure).toBeInstanceOf(WsException);
    expect((failure as WsException).getError()).toMatchObject({ status: 'error', statusCode: 503, code: 'service_unavailable' });
  });

  it("should give a microservice client the 503 as an RpcException, which Nest's RPC filter passes on", async () => {
    const failure = await failureOf('rpc', refused());

    expect(failure).toBeInstanceOf(RpcException);
    expect((failure as RpcException).getError()).toMatchObject({ status: 'error', statusCode: 503, code: 'service_unavailable' });
    expect(JSON.stringify((failure as RpcException).getError())).not.toContain('ECONNREFUSED');
  });

  it("should leave the host's own errors alone", async () => {
    const own = new Error('the handler broke');

    await expect(failureOf('ws', own)).resolves.toBe(own);
  });
});
