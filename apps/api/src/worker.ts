import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { Logger } from 'nestjs-pino';
import { AppModule } from './app.module.js';
import { ProcessLifecycle } from './infrastructure/process-lifecycle.js';
import { announceWorker } from './infrastructure/startup-summary.js';

const lifecycle = new ProcessLifecycle('Signoff worker');

/**
 * `npm run worker`: the library's BullMQ worker in a process of its own, for deployments whose API
 * instances run with RUN_WORKERS=false. No HTTP server. SIGTERM lets the running job finish (or hands
 * it back when SHUTDOWN_TIMEOUT_MS runs out: its lock expires and another worker takes it).
 */
void lifecycle.boot({ runWorkers: true }, async ({ config, postgres, redis }) => {
  const app = await NestFactory.createApplicationContext(AppModule.forRoot(config), { bufferLogs: true });
  app.useLogger(app.get(Logger));
  announceWorker({ postgres, redis });
  return { app };
});
