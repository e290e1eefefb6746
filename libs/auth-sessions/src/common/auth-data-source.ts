import { Inject } from '@nestjs/common';

/**
 * Injection token of the TypeORM DataSource that holds the library's tables: the host's default one,
 * or the one named by the module's `dataSource` extra (`TypeOrmModule.forRoot({ name })`).
 */
export const AUTH_DATA_SOURCE = Symbol('AUTH_DATA_SOURCE');

/** Injects the library's DataSource (see `AUTH_DATA_SOURCE`), where `@InjectDataSource()` would inject the default one. */
export const InjectAuthDataSource = (): PropertyDecorator & ParameterDecorator => Inject(AUTH_DATA_SOURCE);

/**
 * A host passed the manager of another DataSource than the library's (its default one, with the
 * library on a DataSource of its own): the library's SQL would run where its tables are not.
 */
export function foreignManagerError(method: string): TypeError {
  return new TypeError(
    `AuthSessions: ${method}'s manager belongs to another TypeORM DataSource than the library's (the module's \`dataSource\`): ` +
      "pass the manager of a transaction on the library's DataSource, or leave it out.",
  );
}
