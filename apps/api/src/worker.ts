import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { AppModule } from './app.module.js';
import { closeOnSignals, exitOnStartupFailure, prepareInfrastructure } from './infrastructure/process-lifecycle.js';

const logger = new Logger('Worker');

/**
 * `npm run worker`: the library's BullMQ worker in a process of its own, for deployments whose API
 * instances run with RUN_WORKERS=false. No HTTP server.
 */
async function bootstrap(): Promise<void> {
  const infrastructure = await prepareInfrastructure({ runWorkers: true });
  const app = await NestFactory.createApplicationContext(AppModule.forRoot(infrastructure.config));
  closeOnSignals(app, infrastructure);
  logger.log('Signoff worker running');
}

bootstrap().catch(exitOnStartupFailure(logger));
