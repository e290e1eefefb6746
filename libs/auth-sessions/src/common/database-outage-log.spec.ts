import { jest } from '@jest/globals';
import { Logger } from '@nestjs/common';
import { DatabaseOutageLog } from './database-outage-log.js';

const notAccepting = () => Object.assign(new Error('database "app" is not currently accepting connections'), { code: '55000' });

describe('DatabaseOutageLog', () => {
  let lines: Array<{ level: string; entry: Record<string, unknown> }>;

  beforeEach(() => {
    lines = [];
    jest.spyOn(Logger.prototype, 'warn').mockImplementation((entry: unknown) => void lines.push({ level: 'warn', entry: entry as Record<string, unknown> }));
    jest.spyOn(Logger.prototype, 'log').mockImplementation((entry: unknown) => void lines.push({ level: 'log', entry: entry as Record<string, unknown> }));
  });

  afterEach(() => {
    jest.restoreAllMocks();
  });

  it('should log one line when PostgreSQL becomes unreachable and one when a run succeeds again, with the failed runs counted', () => {
    const log = new DatabaseOutageLog();

    for (let run = 0; run < 12; run++) expect(log.failed(notAccepting())).toBe(true);
    expect(log.isDown).toBe(true);
    log.succeeded();
    log.succeeded();

    expect(lines).toEqual([
      {
        level: 'warn',
        entry: expect.objectContaining({
          event: 'postgres_unreachable',
          msg: expect.stringMatching(/^PostgreSQL is unreachable: database "app" is not currently accepting connections\. Until it is back/),
        }),
      },
      { level: 'log', entry: expect.objectContaining({ event: 'postgres_back', failedRuns: 12 }) },
    ]);
    expect(log.isDown).toBe(false);
  });

  it('should leave any other error to the caller, and log nothing for it', () => {
    const log = new DatabaseOutageLog();

    expect(log.failed(Object.assign(new Error('duplicate key value violates unique constraint'), { code: '23505' }))).toBe(false);
    log.succeeded();

    expect(lines).toEqual([]);
    expect(log.isDown).toBe(false);
  });
});
