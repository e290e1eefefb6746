import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { loadAppConfig } from '../config/app-config.js';
import { resolvePostgres } from '../infrastructure/postgres-server.js';
import { prepareDatabase } from '../infrastructure/prepare-database.js';
import { exitOnStartupFailure } from '../infrastructure/process-lifecycle.js';

const logger = new Logger('Migrate');

/**
 * `npm run migration:run`: creates the database when missing and applies pending migrations (with
 * the admin bootstrap and the generated secret) under the start-up lock, then exits. `npm start`
 * does the same before serving; this is for deployments that migrate as a separate step. With
 * MIGRATION_DATABASE_URL set it works as that (owner) role and then grants DATABASE_URL's (runtime)
 * role its privileges (docs/postgres.md).
 */
async function migrate(): Promise<void> {
  const config = loadAppConfig();
  const postgres = await resolvePostgres(config.databaseUrl, config.dataDir);
  try {
    await prepareDatabase(postgres.url, config);
  } finally {
    await postgres.stop();
  }
  logger.log('Database is up to date');
}

migrate().catch(exitOnStartupFailure(logger));
