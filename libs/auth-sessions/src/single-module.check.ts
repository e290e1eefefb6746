import { Injectable } from '@nestjs/common';
import { ModulesContainer } from '@nestjs/core';

/**
 * Refuses an app that imports two `AuthSessionsModule`s (two `forRoot`/`forRootAsync` calls, say one
 * in the app module and one for `GraphQLModule.forRootAsync({ imports })`). Nest would build each
 * in full: the library's routes mapped twice, two session caches, two session buses, two guards on
 * every request. Checked when the first copy's providers are made, after Nest has read every
 * module: each copy is a module that provides this check.
 */
@Injectable()
export class SingleModuleCheck {
  constructor(modules: ModulesContainer) {
    const copies = [...modules.values()].filter((module) => module.providers.has(SingleModuleCheck)).length;
    if (copies <= 1) return;
    throw new Error(
      `AuthSessionsModule: this app imports it ${copies} times, each from its own forRoot()/forRootAsync() call, and each would map ` +
        "the library's routes and run its own cache, bus and guards. Call it once, keep the result in a constant and import that same " +
        'object wherever the module is needed (GraphQLModule.forRootAsync({ imports: [auth] }) too), or set isGlobal: true and import it once.',
    );
  }
}
