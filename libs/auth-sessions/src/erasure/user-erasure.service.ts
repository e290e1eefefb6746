import { Injectable } from '@nestjs/common';
import { isUUID } from 'class-validator';
import type { EntityManager } from 'typeorm';
import { AuditLogService } from '../audit/audit-log.service.js';
import { foreignManagerError } from '../common/auth-data-source.js';
import { translateStoreErrors } from '../edge/store-errors.js';
import { EpochRevocations } from '../jobs/epoch-revocations.js';
import { SessionRepository } from '../sessions/session.repository.js';
import { SsoRepository } from '../sso/sso.repository.js';

/** The longest `note` an erasure keeps in its audit events (as an admin's note). */
const ERASURE_NOTE_MAX_LENGTH = 1000;

/** What erasing a user's session data deleted, besides ending their sessions. */
export interface UserErasureCounts {
  /** Session rows, open and ended (device, IP address, user agent, location). */
  sessions: number;
  /** Their refresh tokens (hashes and chains). */
  refreshTokens: number;
  /** Single sign-on links of the user (a provider's issuer and subject). */
  singleSignOnLinks: number;
}

/** What `eraseUser` did; `announce` tells every instance once the transaction committed. */
export interface UserErasureReceipt {
  /** How many sessions were still active and were ended. */
  revoked: number;
  /** What was deleted. */
  erased: UserErasureCounts;
  /**
   * Tells every instance: their caches drop the user's sessions, and the user's event streams and
   * sockets get `logout` (reason `security_concern`) and close. Never throws. Call it after your commit.
   */
  announce(): Promise<void>;
}

/** Options of `eraseUser`. */
export interface UserErasureOptions {
  /** Your transaction's manager (the one deleting the user): the erasure commits or rolls back with it. */
  manager?: EntityManager;
  /** Kept in the audit events (why, or a ticket number); at most 1,000 characters. */
  note?: string;
}

/**
 * Erasing what the library keeps about a user the host deletes (the right to erasure): the user's
 * sessions end on every instance as a security report ends them, then their session rows (devices, IP
 * addresses, user agents, locations), refresh tokens and single sign-on links are deleted at once,
 * instead of `sessionRetentionDays` after they ended.
 *
 * What stays: the audit log's events about the user (the hash-chained security log, deleted by its own
 * retention, `auditRetentionDays`), with one `sessions_erased` event recording the erasure; and the
 * user's epoch row (the id and a counter), so a sign-in that raced the erasure opens a session that
 * is already ended.
 */
@Injectable()
export class UserErasureService {
  constructor(
    private readonly epochs: EpochRevocations,
    private readonly sessions: SessionRepository,
    private readonly sso: SsoRepository,
    private readonly auditLog: AuditLogService,
  ) {}

  /**
   * Ends every session of `userId` and deletes its session data, in one transaction. Pass your
   * `manager` to join the transaction that deletes the user, then `await receipt.announce()` after
   * your commit; without a manager the library commits and announces itself. Erasing a user the
   * library holds nothing of deletes nothing and still records the event.
   * @throws TypeError (a rejected promise) when `userId` is not a UUID string, `note` not a string of at most 1,000
   *   characters, or `manager` not the manager of an open transaction of the library's DataSource
   */
  async eraseUser(userId: string, options: UserErasureOptions = {}): Promise<UserErasureReceipt> {
    assertErasureInput(userId, options);
    if (options.manager && !this.sessions.owns(options.manager)) throw foreignManagerError('eraseUser');
    return translateStoreErrors(async () => {
      if (options.manager) return this.erase(options.manager, userId, options.note);
      const receipt = await this.sessions.transaction((manager) => this.erase(manager, userId, options.note));
      await receipt.announce();
      return receipt;
    });
  }

  private async erase(manager: EntityManager, userId: string, note: string | undefined): Promise<UserErasureReceipt> {
    const reason = 'security_concern';
    const ended = await this.epochs.endAllOfUser(manager, {
      userId,
      reason,
      by: null,
      keptSessionId: null,
      notify: true,
      audit: (revoked, at) => [
        { type: 'logout_everywhere', actor: null, userId, reason, note: note ?? null, metadata: { count: revoked, keptSessionId: null }, at },
      ],
    });
    const deleted = await this.sessions.deleteAllOfUser(userId, manager);
    const erased: UserErasureCounts = { ...deleted, singleSignOnLinks: await this.sso.deleteLinksOfUser(manager, userId) };
    await this.auditLog.record(manager, { type: 'sessions_erased', actor: null, userId, note: note ?? null, metadata: { ...erased } });
    return { revoked: ended.revoked, erased, announce: () => ended.announce() };
  }
}

function assertErasureInput(userId: unknown, options: UserErasureOptions): void {
  if (typeof userId !== 'string' || !isUUID(userId, 'all')) {
    throw new TypeError(
      `AuthSessions: eraseUser needs the user's id, a UUID string (as the library keeps it), got ${JSON.stringify(userId) ?? String(userId)}`,
    );
  }
  if (typeof options !== 'object' || options === null) throw new TypeError('AuthSessions: eraseUser options must be an object, or left out');
  const note: unknown = options.note;
  // PostgreSQL's text holds no NUL character.
  if (note !== undefined && (typeof note !== 'string' || note.length > ERASURE_NOTE_MAX_LENGTH || note.includes('\u0000'))) {
    throw new TypeError(`AuthSessions: eraseUser's note must be a string of at most ${ERASURE_NOTE_MAX_LENGTH} characters without NUL, or left out`);
  }
  // The epoch bump and the deletes must commit together, and with the host's own delete.
  if (
    options.manager !== undefined &&
    (options.manager as { queryRunner?: { isTransactionActive?: unknown } } | null)?.queryRunner?.isTransactionActive !== true
  ) {
    throw new TypeError(
      "AuthSessions: eraseUser's manager must be the EntityManager of an open transaction (dataSource.transaction(async (manager) => …)), or left out",
    );
  }
}
