import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { AppModule } from './app.module.js';
import { ConfigError, loadAppConfig } from './config/app-config.js';
import { resolvePostgres } from './infrastructure/postgres-server.js';
import { prepareDatabase } from './infrastructure/prepare-database.js';
import { RedisUnavailableError, resolveRedis } from './infrastructure/redis-server.js';

const logger = new Logger('Worker');

/**
 * `npm run worker`: the library's BullMQ worker in a process of its own, for deployments whose API
 * instances run with RUN_WORKERS=false. No HTTP server.
 */
async function bootstrap(): Promise<void> {
  const config = { ...loadAppConfig(), runWorkers: true };
  const postgres = await resolvePostgres(config.databaseUrl, config.dataDir);
  const redis = await resolveRedis(config.redisUrl, config.dataDir);
  await prepareDatabase(postgres.url, config);
  const app = await NestFactory.createApplicationContext(AppModule.forRoot({ ...config, databaseUrl: postgres.url, redisUrl: redis.url }));
  const shutdown = () => {
    void app
      .close()
      .catch(() => undefined)
      .then(() => Promise.allSettled([redis.stop(), postgres.stop()]))
      .finally(() => process.exit(0));
  };
  process.once('SIGTERM', shutdown);
  process.once('SIGINT', shutdown);
  logger.log('Signoff worker running');
}

bootstrap().catch((error: unknown) => {
  logger.error(error instanceof ConfigError || error instanceof RedisUnavailableError ? error.message : String((error as Error)?.stack ?? error));
  process.exit(1);
});
