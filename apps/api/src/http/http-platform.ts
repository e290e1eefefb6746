import type { DynamicModule, INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication, NestExpressBodyParserOptionsFor } from '@nestjs/platform-express';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyError, FastifyReply, FastifyRequest, RawServerDefault } from 'fastify';
import type { AppConfig } from '../config/app-config.js';
import { MethodNotAllowedFilter } from './method-not-allowed.filter.js';
import { requestIdOf } from './request-id.js';
import { badBody, INVALID_JSON_MESSAGE, invalidUtf8Error, refuseInvalidUtf8, refuseUnreadableBodies } from './request-bodies.js';
import { BodyErrorsFilter } from './body-errors.filter.js';

/**
 * The largest request body either platform reads, in bytes; bigger bodies get 413 before any
 * parsing. The largest body the API needs is a revoke-by-filter with 1,000 user ids (about 40 KB).
 */
export const BODY_LIMIT_BYTES = 64 * 1024;

/**
 * Creates the demo on the HTTP platform `HTTP_ADAPTER` names. The library needs nothing from
 * either: trust-proxy (client IPs), the request id, the body limit and 405 answers are the app's own settings.
 */
export async function createHttpApp(module: DynamicModule, config: Pick<AppConfig, 'httpAdapter' | 'trustProxy' | 'oidc'>): Promise<INestApplication> {
  const trustProxy = config.trustProxy > 0 ? config.trustProxy : false;
  let app: INestApplication;
  if (config.httpAdapter === 'fastify') {
    // Loaded only when chosen: an Express deployment never loads Fastify.
    const { FastifyAdapter } = await import('@nestjs/platform-fastify');
    // The same rule as Express's numeric `trust proxy`: trust the nearest `TRUST_PROXY` hops.
    const hops = config.trustProxy;
    const adapter = new FastifyAdapter({
      trustProxy: (_address: string, hop: number) => hop < hops,
      genReqId: requestIdOf,
      bodyLimit: BODY_LIMIT_BYTES,
      // A request that reaches a connection accepted before the shutdown is served, as on Express, rather
      // than refused (apps/api/src/infrastructure/process-lifecycle.ts drains it).
      return503OnClosing: false,
      // The router refuses a malformed URL (400) or an over-long path parameter (414) before Nest sees the
      // request; answer in the contract's error shape instead of Fastify's (FST_ERR_… codes, the path echoed).
      frameworkErrors: (error: FastifyError, _request: FastifyRequest, reply: FastifyReply) => {
        const statusCode = error.statusCode === 414 ? 414 : 400;
        void reply.code(statusCode).send({
          statusCode,
          message: statusCode === 414 ? 'A path parameter is too long.' : 'The URL is malformed.',
          error: statusCode === 414 ? 'URI Too Long' : 'Bad Request',
        });
      },
    });
    // Fastify answers 415 for a body no parser reads, but reads text/plain as a string by default: no route
    // takes text, and a JSON body sent as text/plain must not reach one (see refuseUnreadableBodies).
    adapter.getInstance().removeContentTypeParser('text/plain');
    const fastify = await NestFactory.create<NestFastifyApplication>(module, adapter, { bufferLogs: true });
    // Fastify's JSON parser, after a check that the bytes are UTF-8 (see refuseInvalidUtf8). Form bodies are
    // percent-encoded ASCII; what a form decodes to U+FFFD the library's input check refuses.
    const parseJson = fastify.getHttpAdapter().getInstance().getDefaultJsonParser('error', 'error');
    fastify.useBodyParser<RawServerDefault>('application/json', { bodyLimit: BODY_LIMIT_BYTES }, (req, body, done) => {
      const invalid = invalidUtf8Error(body);
      if (invalid) done(invalid, undefined);
      // Fastify's parser answers through done (its type allows a promise, which it never returns). Its
      // message for malformed JSON quotes nothing, but is answered as on Express for one contract.
      else
        void parseJson(req, body.toString('utf8'), (error, parsed) =>
          done(
            (error as { code?: string } | null)?.code === 'FST_ERR_CTP_INVALID_JSON_BODY' ? badBody(INVALID_JSON_MESSAGE, 'entity.parse.failed') : error,
            parsed,
          ),
        );
    });
    app = fastify;
  } else {
    const express = await NestFactory.create<NestExpressApplication>(module, { bufferLogs: true });
    express.set('trust proxy', trustProxy);
    express.disable('x-powered-by');
    express.use(refuseUnreadableBodies);
    // Registered before Nest's defaults, which then stay out: the same parsers, with a smaller limit.
    // Nest's types reserve `verify` for its rawBody option, which the demo does not use; body-parser takes it as is.
    express.useBodyParser('json', { limit: BODY_LIMIT_BYTES, verify: refuseInvalidUtf8 } as NestExpressBodyParserOptionsFor<'json'>);
    express.useBodyParser('urlencoded', {
      limit: BODY_LIMIT_BYTES,
      extended: true,
      verify: refuseInvalidUtf8,
    } as NestExpressBodyParserOptionsFor<'urlencoded'>);
    app = express;
  }
  // Nest tries global filters last-registered first: MethodNotAllowedFilter sees its 404s before the body filter, which catches every HttpException.
  app.useGlobalFilters(new BodyErrorsFilter(app.getHttpAdapter(), { sso: config.oidc !== null }), new MethodNotAllowedFilter(app.getHttpAdapter()));
  return app;
}
