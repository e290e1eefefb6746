import 'reflect-metadata';
import { createApp } from './app.factory.js';

const app = await createApp(process.env['HTTP_ADAPTER'] === 'fastify' ? 'fastify' : 'express', { logger: ['log', 'error', 'warn'] });
await app.listen(Number(process.env['PORT'] ?? 3000));
