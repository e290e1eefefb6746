import 'reflect-metadata';
import type { Server } from 'node:http';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { Logger } from 'nestjs-pino';
import { AppModule } from './app.module.js';
import { createHttpApp } from './http/http-platform.js';
import { logOutput } from './infrastructure/logging.js';
import { ProcessLifecycle } from './infrastructure/process-lifecycle.js';
import { announceApi } from './infrastructure/startup-summary.js';

const lifecycle = new ProcessLifecycle('Signoff');

void lifecycle.boot({}, async ({ config, postgres, redis }) => {
  const app = await createHttpApp(AppModule.forRoot(config), config);
  app.useLogger(app.get(Logger));
  app.setGlobalPrefix('api', { exclude: ['metrics'] });

  // A factory: the document is built on the first request for it (then kept), not on every start.
  const document = () =>
    SwaggerModule.createDocument(
      app,
      new DocumentBuilder()
        .setTitle('Signoff')
        .setDescription('Server-side sessions, secure logout, devices and audit.')
        .addCookieAuth('sid')
        .addBearerAuth()
        .build(),
    );
  SwaggerModule.setup('api/docs', app, document, { jsonDocumentUrl: 'api/docs-json' });

  // Behind a load balancer, an idle keep-alive connection must outlive the balancer's side of it (60 s on
  // most), or the balancer reuses a socket Node is closing: ECONNRESET. Set on the Node server itself,
  // so it holds whatever Nest HTTP adapter serves the app.
  const http = app.getHttpServer() as Server;
  http.keepAliveTimeout = config.keepAliveTimeoutMs;
  http.headersTimeout = config.keepAliveTimeoutMs + 1000;
  if (http.requestTimeout > 0 && http.requestTimeout < http.headersTimeout) http.requestTimeout = http.headersTimeout;

  lifecycle.trackRequests(http);
  // Express listens on every interface by default, Fastify on loopback only: unreachable in a container.
  if (config.httpAdapter === 'fastify') await app.listen(config.port, '0.0.0.0');
  else await app.listen(config.port);
  announceApi({ config, postgres, redis, pretty: logOutput(config).pretty });
  return { app, http };
});
