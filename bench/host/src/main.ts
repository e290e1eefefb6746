import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { RedisStore } from 'connect-redis';
import session from 'express-session';
import { createClient } from 'redis';
import { type BenchVariant, HostModule } from './host.module.js';
import { inSituRoute, markArrival } from './in-situ.js';

// The comparison host of `npm run bench` (bench/run.mjs starts one process per variant).
const variant = (process.env['BENCH_VARIANT'] ?? 'none') as BenchVariant;
const port = Number(process.env['PORT'] ?? 3000);
const publicOrigin = process.env['PUBLIC_ORIGIN'] ?? `http://127.0.0.1:${port}`;
const redisUrl = process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379';
const redisPrefix = process.env['REDIS_PREFIX'] ?? 'signoff-bench-host';

const app = await NestFactory.create<NestExpressApplication>(
  HostModule.forVariant({
    variant,
    publicOrigin,
    databaseUrl: process.env['DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres',
    redisUrl,
    redisPrefix,
    jwtSecret: process.env['BENCH_JWT_SECRET']!,
    sessionCache: process.env['BENCH_SESSION_CACHE'] !== 'false',
  }),
  { logger: ['error', 'warn'] },
);
app.disable('x-powered-by');
app.setGlobalPrefix('api');
// First of all middleware, so the time to the handler covers everything a variant puts in between.
app.use(markArrival);
app.getHttpAdapter().getInstance().get('/bench-in-situ', inSituRoute);
if (variant === 'store') {
  const client = createClient({ url: redisUrl });
  client.on('error', (error: Error) => console.error(`redis: ${error.message}`));
  await client.connect();
  app.use(
    session({
      store: new RedisStore({ client, prefix: `${redisPrefix}:sess:` }),
      secret: process.env['BENCH_JWT_SECRET']!,
      resave: false,
      saveUninitialized: false,
      cookie: { httpOnly: true, sameSite: 'lax', maxAge: 30 * 60_000 },
    }),
  );
}
app.enableShutdownHooks();
await app.listen(port, '127.0.0.1');
