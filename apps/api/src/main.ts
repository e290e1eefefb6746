import 'reflect-metadata';
import { Logger as NestLogger } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { Logger } from 'nestjs-pino';
import { AppModule } from './app.module.js';
import { createHttpApp } from './http/http-platform.js';
import { closeOnSignals, exitOnStartupFailure, prepareInfrastructure } from './infrastructure/process-lifecycle.js';

const startupLogger = new NestLogger('Startup');

async function bootstrap(): Promise<void> {
  const infrastructure = await prepareInfrastructure();
  const { config } = infrastructure;
  const app = await createHttpApp(AppModule.forRoot(config), config);
  app.useLogger(app.get(Logger));
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
