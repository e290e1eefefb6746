import { jest } from '@jest/globals';
import { Logger } from '@nestjs/common';
import type { Queue } from 'bullmq';
import { AuthMetrics } from '../metrics/auth-metrics.service.js';
import type { MetricsRepository } from '../metrics/metrics.repository.js';
import { loadPromClient } from '../metrics/prom-client.js';
import type { SessionEvents } from '../sessions/session-events.js';
import type { AuditChainRepository } from './audit-chain.repository.js';
import { SECURITY_EVENT_LINES_PER_WINDOW, SecurityEvents, type SecurityEventSource } from './security-events.js';

function source(overrides: Partial<SecurityEventSource> = {}): SecurityEventSource {
  return {
    method: 'POST',
    url: '/api/auth/sessions/revoke-others?token=query-secret-5d1e#frag',
    client: { ip: '203.0.113.7', userAgent: 'curl/8.0', requestId: 'req-42' },
    ...overrides,
  };
}

describe('SecurityEvents', () => {
  let lines: Array<{ context: string; entry: Record<string, unknown> }>;
  let events: SecurityEvents;

  beforeEach(() => {
    jest.useFakeTimers({ now: new Date('2026-12-04T12:00:00Z') });
    lines = [];
    jest.spyOn(Logger.prototype, 'warn').mockImplementation(function (this: Logger, entry: unknown) {
      lines.push({ context: (this as unknown as { context: string }).context, entry: entry as Record<string, unknown> });
    });
    events = new SecurityEvents();
  });

  afterEach(() => {
    jest.useRealTimers();
    jest.restoreAllMocks();
  });

  describe('record', () => {
    it('should write one structured warning with the event, code, reason, method, path, client IP, request id and ids', () => {
      events.record('session_use_after_revoke', source(), { code: 'session_ended', reason: 'logout', sessionId: 's-1', userId: 'u-1' });

      expect(lines).toEqual([
        {
          context: 'SignoffSecurity',
          entry: {
            msg: 'session_use_after_revoke: session_ended (logout) on POST /api/auth/sessions/revoke-others',
            event: 'session_use_after_revoke',
            code: 'session_ended',
            reason: 'logout',
            sessionId: 's-1',
            userId: 'u-1',
            method: 'POST',
            path: '/api/auth/sessions/revoke-others',
            ip: '203.0.113.7',
            requestId: 'req-42',
          },
        },
      ]);
    });

    it('should leave the request id out when the request has none', () => {
      events.record('authz_fail', source({ client: { ip: '::1', userAgent: '', requestId: null } }), { code: 'forbidden' });

      expect(lines[0].entry).not.toHaveProperty('requestId');
    });

    it('should write neither the query string nor the user agent', () => {
      events.record('malicious_csrf', source(), { code: 'csrf_token_invalid', sessionId: 's-1', userId: 'u-1' });

      const written = JSON.stringify(lines);
      for (const left of ['query-secret-5d1e', 'frag', 'curl/8.0']) expect(written).not.toContain(left);
    });

    describe('when an event comes faster than the bound', () => {
      it('should log the first lines of the second, then one line with how many more there were', () => {
        for (let index = 0; index < SECURITY_EVENT_LINES_PER_WINDOW + 25; index++) events.record('malicious_csrf', source(), { code: 'csrf_token_invalid' });
        events.record('authz_fail', source(), { code: 'forbidden' });

        expect(lines.filter((line) => line.entry['event'] === 'malicious_csrf')).toHaveLength(SECURITY_EVENT_LINES_PER_WINDOW);
        expect(lines.filter((line) => line.entry['event'] === 'authz_fail')).toHaveLength(1);
        expect(lines.some((line) => line.entry['event'] === 'security_events_suppressed')).toBe(false);

        jest.advanceTimersByTime(1_000);

        expect(lines.filter((line) => line.entry['event'] === 'security_events_suppressed')).toEqual([
          { context: 'SignoffSecurity', entry: expect.objectContaining({ suppressedEvent: 'malicious_csrf', suppressed: 25 }) },
        ]);
      });

      it('should log again in the next second', () => {
        for (let index = 0; index < SECURITY_EVENT_LINES_PER_WINDOW + 1; index++) events.record('authz_fail', source(), { code: 'forbidden' });
        jest.advanceTimersByTime(1_000);
        events.record('authz_fail', source(), { code: 'forbidden' });

        expect(lines.map((line) => line.entry['event'])).toEqual([
          ...Array<string>(SECURITY_EVENT_LINES_PER_WINDOW).fill('authz_fail'),
          'security_events_suppressed',
          'authz_fail',
        ]);
      });

      it('should tell every listener of every event, logged or not', () => {
        const heard: string[] = [];
        events.onRecorded((event) => heard.push(event));
        for (let index = 0; index < SECURITY_EVENT_LINES_PER_WINDOW + 5; index++) events.record('malicious_csrf', source(), { code: 'csrf_token_invalid' });

        expect(heard).toHaveLength(SECURITY_EVENT_LINES_PER_WINDOW + 5);
      });
    });

    describe('when metrics are on', () => {
      it('should count each event in signoff_security_events_total, by event', async () => {
        jest.useRealTimers();
        const metrics = new AuthMetrics(
          await loadPromClient(),
          null,
          { onEndedHere: () => undefined, onLeaseWait: () => undefined } as unknown as SessionEvents,
          { countActiveSessions: async () => 0 } as unknown as MetricsRepository,
          { countUnsealed: async () => 0 } as unknown as AuditChainRepository,
          { getJobCounts: async () => ({}) } as unknown as Queue,
          { entries: () => 0, trusted: () => true },
          events,
        );
        events.record('malicious_csrf', source(), { code: 'csrf_token_invalid' });
        events.record('malicious_csrf', source(), { code: 'origin_not_allowed' });

        const { body } = await metrics.render();
        expect(body).toContain('signoff_security_events_total{event="malicious_csrf"} 2');
        expect(body).toContain('signoff_security_events_total{event="malicious_direct_reference"} 0');
      });
    });
  });
});
