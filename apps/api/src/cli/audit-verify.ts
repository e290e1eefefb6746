import 'reflect-metadata';
import { verifyAuditChain } from '@signoff/auth-sessions';
import { DataSource } from 'typeorm';
import { loadAppConfig } from '../config/app-config.js';
import { dataSourceOptions } from '../infrastructure/data-source-options.js';
import { resolvePostgres } from '../infrastructure/postgres-server.js';

/**
 * `npm run audit:verify`: checks the audit log's hash chain from the last prune checkpoint on the
 * database the app would use (same DATABASE_URL resolution). Exit code 0: intact; 1: a tampered,
 * deleted or inserted event (the first one is named); 2: the check could not run.
 */
async function main(): Promise<number> {
  const config = loadAppConfig();
  const postgres = await resolvePostgres(config.databaseUrl, config.dataDir);
  const dataSource = new DataSource({ ...dataSourceOptions(postgres.url), migrations: [] });
  try {
    await dataSource.initialize();
    const report = await verifyAuditChain(dataSource);
    const from = report.checkpoint ? `checkpoint at position ${report.checkpoint.position} (cut-off ${report.checkpoint.cutOff})` : 'the genesis';
    process.stdout.write(`audit:verify: checked ${report.checked} sealed events from ${from}\n`);
    process.stdout.write(`audit:verify: chain head position ${report.head.position} hash ${report.head.hash}\n`);
    process.stdout.write(`audit:verify: ${report.unsealed} events not sealed yet\n`);
    if (report.problem) {
      process.stdout.write(`audit:verify: FAILED: ${report.problem.kind} event: ${report.problem.message}\n`);
      process.stdout.write(`${JSON.stringify(report)}\n`);
      return 1;
    }
    process.stdout.write('audit:verify: OK\n');
    process.stdout.write(`${JSON.stringify(report)}\n`);
    return 0;
  } finally {
    if (dataSource.isInitialized) await dataSource.destroy();
    await postgres.stop();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`audit:verify: could not check the audit log: ${message}\n`);
    process.exit(2);
  },
);
