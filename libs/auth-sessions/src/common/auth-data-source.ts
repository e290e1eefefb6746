import { Inject, type Provider } from '@nestjs/common';
import { getDataSourceToken } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';

/**
 * Injection token of the TypeORM DataSource that holds the library's tables: the host's default one,
 * or the one named by the module's `dataSource` extra (`TypeOrmModule.forRoot({ name })`).
 */
export const AUTH_DATA_SOURCE = Symbol('AUTH_DATA_SOURCE');

/** Injects the library's DataSource (see `AUTH_DATA_SOURCE`), where `@InjectDataSource()` would inject the default one. */
export const InjectAuthDataSource = (): PropertyDecorator & ParameterDecorator => Inject(AUTH_DATA_SOURCE);

/**
 * `AUTH_DATA_SOURCE` as the DataSource named `name` (undefined: the default one). A name no
 * `TypeOrmModule.forRoot` registered is refused at start-up saying so, rather than as Nest's
 * "can't resolve dependencies" of a token the host never wrote.
 */
export function authDataSourceProvider(name: string | undefined): Provider {
  return {
    provide: AUTH_DATA_SOURCE,
    inject: [{ token: getDataSourceToken(name), optional: true }],
    useFactory: (dataSource: DataSource | undefined): DataSource => {
      if (dataSource) return dataSource;
      throw new Error(
        name === undefined
          ? 'AuthSessionsModule: the app has no default TypeORM DataSource. Add TypeOrmModule.forRoot({ … }) with AUTH_SESSIONS_ENTITIES, or name yours in `dataSource`.'
          : `AuthSessionsModule: no TypeORM DataSource is named "${name}" (\`dataSource\`). Add TypeOrmModule.forRoot({ name: '${name}', … }) with AUTH_SESSIONS_ENTITIES, or leave \`dataSource\` out for the default one.`,
      );
    },
  };
}
