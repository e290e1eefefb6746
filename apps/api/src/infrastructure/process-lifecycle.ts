import { Logger } from '@nestjs/common';
import { type AppConfig, ConfigError, loadAppConfig } from '../config/app-config.js';
import { resolvePostgres, type ResolvedPostgres } from './postgres-server.js';
import { prepareDatabase } from './prepare-database.js';
import { RedisUnavailableError, resolveRedis, type ResolvedRedis } from './redis-server.js';

/** The configuration, and the PostgreSQL and Redis the process uses (possibly started by it). */
export interface Infrastructure {
  config: AppConfig & { databaseUrl: string; redisUrl: string };
  postgres: ResolvedPostgres;
  redis: ResolvedRedis;
}

/** Reads the environment, finds or starts PostgreSQL and Redis, and prepares the database (migrations, admin, secret). */
export async function prepareInfrastructure(overrides: Partial<AppConfig> = {}): Promise<Infrastructure> {
  const config = { ...loadAppConfig(), ...overrides };
  const postgres = await resolvePostgres(config.databaseUrl, config.dataDir);
  const redis = await resolveRedis(config.redisUrl, config.dataDir);
  await prepareDatabase(postgres.url, config);
  return { config: { ...config, databaseUrl: postgres.url, redisUrl: redis.url }, postgres, redis };
}

/**
 * On SIGTERM or SIGINT: closes the app (its shutdown hooks stop workers and connections), then the
 * servers the process started, then exits. Nest's own shutdown hooks would exit before the servers stop.
 */
export function closeOnSignals(app: { close(): Promise<void> }, infrastructure: Infrastructure): void {
  const shutdown = () => {
    void app
      .close()
      .catch(() => undefined)
      .then(() => Promise.allSettled([infrastructure.redis.stop(), infrastructure.postgres.stop()]))
      .finally(() => process.exit(0));
  };
  process.once('SIGTERM', shutdown);
  process.once('SIGINT', shutdown);
}

/** Logs why start-up failed (a configuration problem as one line, anything else with its stack) and exits 1. */
export function exitOnStartupFailure(logger: Logger): (error: unknown) => never {
  return (error) => {
    if (error instanceof ConfigError || error instanceof RedisUnavailableError) logger.error(error.message);
    else logger.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
    process.exit(1);
  };
}
