import 'reflect-metadata';
import { Logger as NestLogger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { Logger } from 'nestjs-pino';
import { AppModule } from './app.module.js';
import { closeOnSignals, exitOnStartupFailure, prepareInfrastructure } from './infrastructure/process-lifecycle.js';

const startupLogger = new NestLogger('Startup');

async function bootstrap(): Promise<void> {
  const infrastructure = await prepareInfrastructure();
  const { config } = infrastructure;
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config), { bufferLogs: true });
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

  closeOnSignals(app, infrastructure);

  await app.listen(config.port);
  startupLogger.log(`Signoff listening on ${config.publicOrigin} (port ${config.port})`);
}

bootstrap().catch(exitOnStartupFailure(startupLogger));
