import { Injectable } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { AuthTables } from '../common/auth-tables.js';
import { activePredicate } from '../sessions/session.repository.js';
import { InjectAuthDataSource } from '../common/auth-data-source.js';

/** SQL behind the gauges that are read from PostgreSQL at scrape time. */
@Injectable()
export class MetricsRepository {
  private readonly tables: AuthTables;

  constructor(@InjectAuthDataSource() private readonly dataSource: DataSource) {
    this.tables = AuthTables.of(dataSource);
  }

  /** How many sessions are active now, by the same rule as the guard (expired but unswept rows excluded). */
  async countActiveSessions(): Promise<number> {
    // Only open rows can be active: the partial index on ended_at IS NULL keeps this off ended history.
    const rows: Array<{ count: string }> = await this.dataSource.query(
      `SELECT count(*)::text AS count FROM ${this.tables.sessions} s WHERE ${activePredicate('now()', this.tables)}`,
    );
    return Number(rows[0]?.count ?? 0);
  }
}
