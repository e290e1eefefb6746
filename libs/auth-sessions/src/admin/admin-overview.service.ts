import { Inject, Injectable } from '@nestjs/common';
import { AUTH_SESSIONS_OPTIONS } from '../auth-sessions.module-definition.js';
import type { ResolvedAuthSessionsOptions } from '../auth-sessions.options.js';
import { AuditLogService } from '../audit/audit-log.service.js';
import type { ClientContext } from '../common/client-context.js';
import type { SessionEndReason } from '../common/session-end-reason.js';
import type { AdminOverviewShape, OverviewRevocationShape } from './admin-overview.shape.js';
import { AdminOverviewRepository, type DayCount, type DayReasonCount, type RevocationRow } from './admin-overview.repository.js';

const DAYS = 30;
/**
 * How long the 29 closed days of the series are reused. They change only by late writes (the expiry
 * sweep dates an ending at the expiry, which may fall before midnight; the clean-up after an epoch bump
 * dates it at the bump), so a few minutes late is the cost of not counting a month of rows per call.
 */
export const CLOSED_DAYS_TTL_MS = 5 * 60_000;
const TOP_PLACES = 8;
const RECENT_REVOCATIONS = 10;
const DAY_MS = 86_400_000;

/** The per-day counts of a range of days. */
interface DayCounts {
  signIns: DayCount[];
  signOuts: DayReasonCount[];
}

/**
 * The admin landing page: sessions now and over 30 days, sign-ins and sign-outs per day, devices, places, revocations.
 * Every call counts today and everything "now"; the 29 closed days before today are counted once per
 * `CLOSED_DAYS_TTL_MS` per instance (and at once when the day rolls over), one count at a time.
 */
@Injectable()
export class AdminOverviewService {
  private closedDays: { from: number; until: number; countedAt: number; counts: Promise<DayCounts> } | null = null;

  constructor(
    private readonly overviews: AdminOverviewRepository,
    private readonly auditLog: AuditLogService,
    @Inject(AUTH_SESSIONS_OPTIONS) private readonly options: ResolvedAuthSessionsOptions,
  ) {}

  /**
   * The overview at `now`. It shows audit events (the latest revocations), so reading it is an
   * `audit_read` event like any other read of the log.
   */
  async overview(admin: { userId: string; email: string; sessionId: string }, client: ClientContext, now = new Date()): Promise<AdminOverviewShape<Date>> {
    const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
    const from = new Date(today - (DAYS - 1) * DAY_MS);
    const todayStart = new Date(today);
    const tomorrow = new Date(today + DAY_MS);
    const [active, open, closed, signInsToday, signOutsToday, revocations] = await Promise.all([
      this.overviews.activeByDeviceAndPlace(now),
      this.overviews.openSessions(),
      this.closedDayCounts(from, todayStart, now),
      this.overviews.signInsByDay(todayStart, tomorrow),
      this.overviews.signOutsByDay(todayStart, tomorrow),
      this.overviews.recentRevocations(RECENT_REVOCATIONS),
    ]);
    const signIns = [...closed.signIns, ...signInsToday];
    const signOuts = [...closed.signOuts, ...signOutsToday];
    await this.auditLog.recordAlone({
      type: 'audit_read',
      actor: { id: admin.userId, email: admin.email },
      userId: null,
      sessionId: admin.sessionId,
      client,
      metadata: { overview: true, returned: revocations.length },
    });
    return {
      generatedAt: now,
      activeSessions: active.reduce((sum, row) => sum + Number(row.sessions), 0),
      days: dailySeries(from, open, signIns, signOuts),
      byDeviceType: largestFirst(active, (row) => row.type || 'unknown').map(([type, sessions]) => ({ type, sessions })),
      byPlace: topPlaces(active),
      recentRevocations: await this.withUsers(revocations),
    };
  }

  /** The counts of [from, until), reused until they are `CLOSED_DAYS_TTL_MS` old; concurrent callers share one count. */
  private closedDayCounts(from: Date, until: Date, now: Date): Promise<DayCounts> {
    const cached = this.closedDays;
    if (cached && cached.from === from.getTime() && cached.until === until.getTime() && now.getTime() - cached.countedAt < CLOSED_DAYS_TTL_MS) {
      return cached.counts;
    }
    const counts = Promise.all([this.overviews.signInsByDay(from, until), this.overviews.signOutsByDay(from, until)]).then(([signIns, signOuts]) => ({
      signIns,
      signOuts,
    }));
    const entry = { from: from.getTime(), until: until.getTime(), countedAt: now.getTime(), counts };
    this.closedDays = entry;
    // A failed count is not kept: the next call counts again.
    counts.catch(() => {
      if (this.closedDays === entry) this.closedDays = null;
    });
    return counts;
  }

  private async withUsers(rows: RevocationRow[]): Promise<OverviewRevocationShape<Date>[]> {
    const ids = [...new Set(rows.map((row) => row.user_id).filter((id): id is string => id !== null))];
    const users = new Map(await Promise.all(ids.map(async (id) => [id, await this.options.users.findById(id)] as const)));
    return rows.map((row) => {
      const user = row.user_id ? users.get(row.user_id) : null;
      const count = Number(row.metadata?.['count']);
      return {
        id: row.id,
        type: row.type,
        at: row.at,
        actor: row.actor_id ? { id: row.actor_id, email: row.actor_email } : null,
        user: user ? { id: user.id, email: user.email } : null,
        reason: row.reason,
        note: row.note,
        count: row.type === 'session_revoked' ? 1 : Number.isFinite(count) ? count : 0,
      };
    });
  }
}

/**
 * One entry per UTC day from `from` to today. Sessions open at the end of a day follow from the
 * open sessions now, walking back: every session signed in after that day was not open yet, every
 * session ended after it still was.
 */
export function dailySeries(from: Date, openNow: number, signIns: DayCount[], signOuts: DayReasonCount[]): AdminOverviewShape<Date>['days'] {
  const days: AdminOverviewShape<Date>['days'] = [];
  for (let index = 0; index < DAYS; index++) {
    days.push({ day: new Date(from.getTime() + index * DAY_MS).toISOString().slice(0, 10), activeSessions: 0, signIns: 0, signOuts: {} });
  }
  const byDay = new Map(days.map((entry) => [entry.day, entry]));
  for (const row of signIns) {
    const entry = byDay.get(row.day);
    if (entry) entry.signIns += Number(row.sessions);
  }
  for (const row of signOuts) {
    const entry = byDay.get(row.day);
    const reason = row.reason as SessionEndReason;
    if (entry) entry.signOuts[reason] = (entry.signOuts[reason] ?? 0) + Number(row.sessions);
  }
  let open = openNow;
  for (let index = days.length - 1; index >= 0; index--) {
    const entry = days[index];
    entry.activeSessions = Math.max(0, open);
    const ended = Object.values(entry.signOuts).reduce((sum, value) => sum + (value ?? 0), 0);
    open = open - entry.signIns + ended;
  }
  return days;
}

function largestFirst<T extends { sessions: number }>(rows: T[], key: (row: T) => string): Array<[string, number]> {
  const totals = new Map<string, number>();
  for (const row of rows) totals.set(key(row), (totals.get(key(row)) ?? 0) + Number(row.sessions));
  return [...totals].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
}

function topPlaces(rows: Array<{ place: string | null; sessions: number }>): Array<{ place: string; sessions: number }> {
  const known = largestFirst(
    rows.filter((row) => row.place),
    (row) => row.place!,
  );
  const unknown = rows.filter((row) => !row.place).reduce((sum, row) => sum + Number(row.sessions), 0);
  const top = known.slice(0, TOP_PLACES).map(([place, sessions]) => ({ place, sessions }));
  const other = known.slice(TOP_PLACES).reduce((sum, [, sessions]) => sum + sessions, 0);
  if (other > 0) top.push({ place: 'Other', sessions: other });
  if (unknown > 0) top.push({ place: 'Unknown', sessions: unknown });
  return top;
}
