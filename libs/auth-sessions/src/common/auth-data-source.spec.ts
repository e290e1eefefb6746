import type { FactoryProvider } from '@nestjs/common';
import { getDataSourceToken } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AUTH_DATA_SOURCE, authDataSourceProvider } from './auth-data-source.js';

describe('authDataSourceProvider (the library DataSource, default or named)', () => {
  const factory = (name: string | undefined) => authDataSourceProvider(name) as FactoryProvider<DataSource>;

  it('should ask for the named DataSource, optionally, and hand it on', () => {
    const dataSource = new DataSource({ type: 'postgres' });
    expect(factory('auth')).toMatchObject({ provide: AUTH_DATA_SOURCE, inject: [{ token: getDataSourceToken('auth'), optional: true }] });
    expect(factory(undefined).inject).toEqual([{ token: getDataSourceToken(), optional: true }]);
    expect(factory('auth').useFactory(dataSource)).toBe(dataSource);
  });

  it('should refuse to start without that DataSource, naming it and what to add', () => {
    expect(() => factory('reports').useFactory(undefined)).toThrow(
      /no TypeORM DataSource is named "reports" \(`dataSource`\)\. Add TypeOrmModule\.forRoot\(\{ name: 'reports'/,
    );
    expect(() => factory(undefined).useFactory(undefined)).toThrow(/has no default TypeORM DataSource/);
  });
});
