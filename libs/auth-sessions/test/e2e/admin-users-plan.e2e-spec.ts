import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { AUTH_SESSIONS_ENTITIES, AUTH_SESSIONS_MIGRATIONS } from '@signoff/auth-sessions';
import { adminStatementsForTest, signInStatementsForTest } from '@signoff/auth-sessions/testing';
import { createFixtureDatabase, type FixtureDatabase, fixtureEnvironment } from '../fixtures/fixture-database.js';

// The admin users list counts a page's sessions in one aggregate; with many sessions in the table it
// must follow the (user_id, ...) partial indexes, never scan the table.
describe('the admin users aggregate (against PostgreSQL)', () => {
  const migrated = migratedDatabase();

  it('should count a page of users in one query on the user indexes, not a sequential scan (20k sessions)', async () => {
    const ids = Array.from({ length: 2000 }, () => randomUUID());
    // Ten sessions per user: five active, three ended, two open but idle-expired.
    await migrated.dataSource.query(
      `INSERT INTO auth_sessions (id, user_id, kind, token_hash, user_agent, ip, created_at, last_active_at, idle_seconds,
                                  absolute_expires_at, fresh_at, ended_at, end_reason)
       SELECT gen_random_uuid(), u.id, 'cookie', sha256(convert_to(u.id::text || g::text, 'UTF8')), 'Load/1.0', '10.0.0.1',
              now() - interval '1 day', now() - make_interval(mins => CASE WHEN g <= 5 THEN g WHEN g <= 8 THEN 600 ELSE 120 END),
              1800, now() + interval '1 day', now() - interval '1 day',
              CASE WHEN g BETWEEN 6 AND 8 THEN now() - interval '9 hours' END,
              CASE WHEN g BETWEEN 6 AND 8 THEN 'logout' END
         FROM unnest($1::uuid[]) AS u(id), generate_series(1, 10) AS g`,
      [ids],
    );
    await migrated.dataSource.query('ANALYZE auth_sessions');
    const page = ids.slice(100, 120);

    const plan: Array<{ 'QUERY PLAN': unknown }> = await migrated.dataSource.query(`EXPLAIN (FORMAT JSON) ${adminStatementsForTest().userPageSessions}`, [
      page,
      new Date(),
    ]);
    const nodes = planNodes(plan[0]['QUERY PLAN']);
    expect(nodes.filter((node) => node['Relation Name'] === 'auth_sessions' && node['Node Type'] === 'Seq Scan')).toEqual([]);
    // Index scans name their relation; bitmap index scans only their index.
    expect(nodes.map((node) => node['Index Name'])).toEqual(expect.arrayContaining(['auth_sessions_user_active_idx', 'auth_sessions_user_ended_idx']));

    const rows: Array<{ user_id: string; active_sessions: number }> = await migrated.dataSource.query(adminStatementsForTest().userPageSessions, [
      page,
      new Date(),
    ]);
    expect(rows).toHaveLength(20);
    expect(new Set(rows.map((row) => Number(row.active_sessions)))).toEqual(new Set([5]));
  });
});

describe("the per-account sign-in limit's familiar places (against PostgreSQL)", () => {
  const migrated = migratedDatabase();

  it("should read a user's places on the user indexes, not scan the table, and find open and lately ended sessions only (20k sessions)", async () => {
    const ids = Array.from({ length: 2000 }, () => randomUUID());
    // Ten sessions per user from ten places: six open, two ended an hour ago, two ended 40 days ago.
    await migrated.dataSource.query(
      `INSERT INTO auth_sessions (id, user_id, kind, token_hash, user_agent, ip, created_at, last_active_at, idle_seconds,
                                  absolute_expires_at, fresh_at, ended_at, end_reason)
       SELECT gen_random_uuid(), u.id, 'cookie', sha256(convert_to(u.id::text || g::text, 'UTF8')), 'Load/1.0', '10.0.0.' || g,
              now() - interval '50 days', now() - interval '1 minute', 1800, now() + interval '1 day', now() - interval '50 days',
              CASE WHEN g BETWEEN 7 AND 8 THEN now() - interval '1 hour' WHEN g > 8 THEN now() - interval '40 days' END,
              CASE WHEN g > 6 THEN 'logout' END
         FROM unnest($1::uuid[]) AS u(id), generate_series(1, 10) AS g`,
      [ids],
    );
    await migrated.dataSource.query('ANALYZE auth_sessions');
    const statement = signInStatementsForTest().recentSignInIps;
    const parameters = [ids[42], new Date(Date.now() - 30 * 86_400_000), 200];

    const plan: Array<{ 'QUERY PLAN': unknown }> = await migrated.dataSource.query(`EXPLAIN (FORMAT JSON) ${statement}`, parameters);
    const nodes = planNodes(plan[0]['QUERY PLAN']);
    expect(nodes.filter((node) => node['Node Type'] === 'Seq Scan')).toEqual([]);
    expect(nodes.map((node) => node['Index Name'])).toEqual(expect.arrayContaining(['auth_sessions_user_active_idx', 'auth_sessions_user_ended_idx']));

    const rows: Array<{ ip: string }> = await migrated.dataSource.query(statement, parameters);
    expect(rows.map((row) => row.ip).sort()).toEqual(['10.0.0.1', '10.0.0.2', '10.0.0.3', '10.0.0.4', '10.0.0.5', '10.0.0.6', '10.0.0.7', '10.0.0.8']);
  });

  it("should find the owner's home behind hundreds of newer sessions (a script's), each place once, most recent first", async () => {
    const userId = randomUUID();
    // Home: one open session 10 days old, one ended 10 days ago elsewhere; then 250 open sessions of a script from one IP and
    // 300 sessions ended an hour ago from 300 IPs, all newer. A read capped at 200 sessions of each kind missed the home.
    await migrated.dataSource.query(
      `INSERT INTO auth_sessions (id, user_id, kind, token_hash, ip, created_at, last_active_at, idle_seconds, absolute_expires_at, fresh_at, ended_at, end_reason)
       SELECT gen_random_uuid(), $1::uuid, 'bearer', sha256(convert_to($1::uuid::text || g::text, 'UTF8')), p.ip, p.created, now(), 1800, now() + interval '1 day', p.created, p.ended,
              CASE WHEN p.ended IS NOT NULL THEN 'logout' END
         FROM generate_series(1, 552) AS g,
              LATERAL (SELECT CASE WHEN g = 1 THEN '192.0.2.1' WHEN g = 2 THEN '192.0.2.2' WHEN g <= 252 THEN '198.51.100.9' ELSE '10.1.' || (g / 250) || '.' || (g % 250) END AS ip,
                              CASE WHEN g <= 2 THEN now() - interval '10 days' ELSE now() - interval '2 hours' END AS created,
                              CASE WHEN g = 2 THEN now() - interval '10 days' WHEN g > 252 THEN now() - interval '1 hour' END AS ended) AS p`,
      [userId],
    );
    const statement = signInStatementsForTest().recentSignInIps;
    const since = new Date(Date.now() - 30 * 86_400_000);
    const all: Array<{ ip: string }> = await migrated.dataSource.query(statement, [userId, since, 10_000]);
    expect(all).toHaveLength(303);
    expect(new Set(all.map((row) => row.ip)).size).toBe(303);
    expect(all.map((row) => row.ip)).toEqual(expect.arrayContaining(['192.0.2.1', '192.0.2.2', '198.51.100.9']));
    expect(all.slice(-2).map((row) => row.ip)).toEqual(['192.0.2.1', '192.0.2.2']);
  });
});

/** A database of its own with the library's migrations run, for one describe block (its hooks). */
function migratedDatabase(): { readonly dataSource: DataSource } {
  let database: FixtureDatabase | undefined;
  let dataSource: DataSource | undefined;
  beforeAll(async () => {
    database = await createFixtureDatabase(fixtureEnvironment());
    dataSource = new DataSource({ type: 'postgres', url: database.url, entities: AUTH_SESSIONS_ENTITIES, migrations: AUTH_SESSIONS_MIGRATIONS });
    await dataSource.initialize();
    await dataSource.runMigrations();
  });
  afterAll(async () => {
    await dataSource?.destroy();
    await database?.drop();
  });
  return {
    get dataSource(): DataSource {
      if (!dataSource) throw new Error('the database is not ready (beforeAll has not run)');
      return dataSource;
    },
  };
}

function planNodes(plan: unknown): Array<Record<string, unknown>> {
  const nodes: Array<Record<string, unknown>> = [];
  const visit = (node: Record<string, unknown>): void => {
    nodes.push(node);
    for (const child of (node['Plans'] as Array<Record<string, unknown>> | undefined) ?? []) visit(child);
  };
  for (const root of plan as Array<{ Plan: Record<string, unknown> }>) visit(root.Plan);
  return nodes;
}
