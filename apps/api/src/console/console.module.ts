import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Logger, Module, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { ConsoleFiles } from './console-files.js';
import { consoleHandler } from './console-handler.js';

/** dist/apps/api/src/console → dist/apps/admin-console/browser (the `ng build` output). */
function defaultConsoleRoot(): string {
  return fileURLToPath(new URL('../../../admin-console/browser/', import.meta.url));
}

/**
 * Serves the Angular admin console at `/` from the same origin as the API (cookies, XSRF and CSP stay simple).
 * The handler is added to Express during module init, after Nest registered its routes and before its 404
 * handler: /api and /metrics keep their own routes and 404s, and every other GET gets the console.
 */
@Module({})
export class ConsoleModule implements OnModuleInit {
  private readonly logger = new Logger('Console');

  constructor(private readonly adapterHost: HttpAdapterHost) {}

  async onModuleInit(): Promise<void> {
    const instance: unknown = this.adapterHost.httpAdapter?.getInstance();
    if (typeof (instance as { use?: unknown } | undefined)?.use !== 'function') return;
    const files = new ConsoleFiles(process.env['CONSOLE_DIR'] || defaultConsoleRoot());
    if (!(await files.isBuilt())) {
      this.logger.warn(`The admin console is not built (no ${join(files.root, 'index.html')}): run \`npm run build\` to serve it at /.`);
    }
    (instance as { use(handler: unknown): void }).use(consoleHandler(files));
  }
}
