import type { DynamicModule, INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { AppConfig } from '../config/app-config.js';
import { requestIdOf } from './request-id.js';

/**
 * Creates the demo on the HTTP platform `HTTP_ADAPTER` names. The library needs nothing from
 * either: trust-proxy (client IPs) and the request id are the app's own settings.
 */
export async function createHttpApp(module: DynamicModule, config: Pick<AppConfig, 'httpAdapter' | 'trustProxy'>): Promise<INestApplication> {
  const trustProxy = config.trustProxy > 0 ? config.trustProxy : false;
  if (config.httpAdapter === 'fastify') {
    // Loaded only when chosen: an Express deployment never loads Fastify.
    const { FastifyAdapter } = await import('@nestjs/platform-fastify');
    // The same rule as Express's numeric `trust proxy`: trust the nearest `TRUST_PROXY` hops.
    const hops = config.trustProxy;
    // return503OnClosing: a request that reaches a connection accepted before the shutdown is served, as
    // on Express, rather than refused (apps/api/src/infrastructure/process-lifecycle.ts drains it).
    const adapter = new FastifyAdapter({ trustProxy: (_address: string, hop: number) => hop < hops, genReqId: requestIdOf, return503OnClosing: false });
    return NestFactory.create(module, adapter, { bufferLogs: true });
  }
  const app = await NestFactory.create<NestExpressApplication>(module, { bufferLogs: true });
  app.set('trust proxy', trustProxy);
  app.disable('x-powered-by');
  return app;
}
