import { setTimeout as delay } from 'node:timers/promises';
import type { ApiProcess } from '../../../../test-support/api-process.js';

/** The lines the library's security log (AUD-06, Nest context `SignoffSecurity`) wrote in an app's output. */
export function securityLogLines(api: ApiProcess): Array<Record<string, unknown>> {
  return api
    .logs()
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>)
    .filter((entry) => entry['context'] === 'SignoffSecurity');
}

/** The first security log line that `matches`, once the app has written it (logging is asynchronous); undefined after 2 s. */
export async function securityLogLine(api: ApiProcess, matches: (line: Record<string, unknown>) => boolean): Promise<Record<string, unknown> | undefined> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const line = securityLogLines(api).find(matches);
    if (line) return line;
    await delay(100);
  }
  return undefined;
}
