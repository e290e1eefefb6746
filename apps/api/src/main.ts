import 'reflect-metadata';
import { Logger as NestLogger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { Logger } from 'nestjs-pino';
import { AppModule } from './app.module.js';
import { ConfigError, loadAppConfig } from './config/app-config.js';
import { resolvePostgres } from './infrastructure/postgres-server.js';
import { prepareDatabase } from './infrastructure/prepare-database.js';
import { RedisUnavailableError, resolveRedis } from './infrastructure/redis-server.js';

const startupLogger = new NestLogger('Startup');

async function bootstrap(): Promise<void> {
  const config = loadAppConfig();
  const postgres = await resolvePostgres(config.databaseUrl, config.dataDir);
  const redis = await resolveRedis(config.redisUrl, config.dataDir);
  await prepareDatabase(postgres.url, config);

  const app = await NestFactory.create<NestExpressApplication>(
    AppModule.forRoot({ ...config, databaseUrl: postgres.url, redisUrl: redis.url }),
    { bufferLogs: true },
  );
  app.useLogger(app.get(Logger));
  app.set('trust proxy', config.trustProxy > 0 ? config.trustProxy : false);
  app.disable('x-powered-by');
  app.setGlobalPrefix('api', { exclude: ['metrics'] });

  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Signoff')
      .setDescription('Server-side sessions, secure logout, devices and audit.')
      .addCookieAuth('sid')
      .addBearerAuth()
      .build(),
  );
  SwaggerModule.setup('api/docs', app, document, { jsonDocumentUrl: 'api/docs-json' });

  // app.close() runs the shutdown hooks (workers, connections); only then may the servers we started stop.
  const shutdown = () => {
    void app
      .close()
      .catch(() => undefined)
      .then(() => Promise.allSettled([redis.stop(), postgres.stop()]))
      .finally(() => process.exit(0));
  };
  process.once('SIGTERM', shutdown);
  process.once('SIGINT', shutdown);

  await app.listen(config.port);
  startupLogger.log(`Signoff listening on ${config.publicOrigin} (port ${config.port})`);
}

bootstrap().catch((error: unknown) => {
  if (error instanceof ConfigError || error instanceof RedisUnavailableError) {
    startupLogger.error(error.message);
  } else {
    startupLogger.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
  }
  process.exit(1);
});
