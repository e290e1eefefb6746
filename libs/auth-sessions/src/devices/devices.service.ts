import { Injectable } from '@nestjs/common';
import { SessionRepository } from '../sessions/session.repository.js';
import { toSessionResponse, type SessionResponse } from './session.response.js';

const HISTORY_DAYS = 30;

/** Lists a user's sessions as devices. */
@Injectable()
export class DevicesService {
  constructor(private readonly sessionRepository: SessionRepository) {}

  /**
   * The user's active sessions, newest activity first, with `currentSessionId` marked; with
   * `includeEnded`, also those ended in the last 30 days. Expired rows count as ended.
   */
  async listForUser(userId: string, currentSessionId: string | null, includeEnded: boolean): Promise<SessionResponse[]> {
    const now = new Date();
    const since = includeEnded ? new Date(now.getTime() - HISTORY_DAYS * 86_400_000) : null;
    const rows = await this.sessionRepository.listForUser(userId, since);
    return rows
      .map((row) => toSessionResponse(row, currentSessionId, now))
      .filter((session) => (includeEnded ? !session.endedAt || session.endedAt >= since! : !session.endedAt));
  }
}
