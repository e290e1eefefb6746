import { randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { AuthTables } from '../common/auth-tables.js';
import { InjectAuthDataSource } from '../common/auth-data-source.js';

/**
 * Secrets the library generates once and keeps in `auth_secrets`, so every instance shares them.
 * Insert-if-missing then read is safe when several instances start at the same moment.
 */
@Injectable()
export class SecretStore {
  private readonly cache = new Map<string, Promise<Buffer>>();

  private readonly tables: AuthTables;

  constructor(@InjectAuthDataSource() private readonly dataSource: DataSource) {
    this.tables = AuthTables.of(dataSource);
  }

  /** The named secret (48 random bytes, generated on first use). */
  get(name: string): Promise<Buffer> {
    let secret = this.cache.get(name);
    if (!secret) {
      secret = this.load(name);
      this.cache.set(name, secret);
      secret.catch(() => this.cache.delete(name));
    }
    return secret;
  }

  private async load(name: string): Promise<Buffer> {
    await this.dataSource.query(`INSERT INTO ${this.tables.secrets} (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING`, [
      name,
      randomBytes(48).toString('base64url'),
    ]);
    const rows: Array<{ value: string }> = await this.dataSource.query(`SELECT value FROM ${this.tables.secrets} WHERE name = $1`, [name]);
    return Buffer.from(rows[0].value, 'utf8');
  }
}
