import { type INestApplication, ValidationPipe } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { AppModule } from './app.module.js';

/** The HTTP platforms the example runs on; the library needs nothing platform-specific from the host. */
export type HttpPlatform = 'express' | 'fastify';

/** Creates the app on Express or Fastify, with the host's own global prefix. */
export async function createApp(platform: HttpPlatform, options: { logger?: false | Array<'log' | 'error' | 'warn'> } = {}): Promise<INestApplication> {
  const app =
    platform === 'fastify'
      ? await NestFactory.create(AppModule, new FastifyAdapter(), { logger: options.logger ?? ['error', 'warn'] })
      : await NestFactory.create(AppModule, { logger: options.logger ?? ['error', 'warn'] });
  // The library's routes follow the host's prefix (/api/auth/login); its metrics endpoint does not.
  app.setGlobalPrefix('api');
  // Most Nest apps validate their DTOs with a global pipe; the library checks its own routes' input as
  // sent, before any pipe of the host (a conversion here cannot turn junk into a valid value there).
  app.useGlobalPipes(new ValidationPipe({ whitelist: true, transform: true, transformOptions: { enableImplicitConversion: true } }));
  // The signals that mean "stop". Without a list Nest stops on a dozen, SIGUSR2 among them, which is
  // Node's --heapsnapshot-signal and nodemon's restart signal.
  app.enableShutdownHooks(['SIGTERM', 'SIGINT']);
  return app;
}
