import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { DataSource, EntityManager } from 'typeorm';
import { RefreshToken } from './refresh-token.entity.js';
import { InjectAuthDataSource } from '../common/auth-data-source.js';

/** The only place with refresh-token SQL. */
@Injectable()
export class RefreshTokenRepository {
  constructor(@InjectAuthDataSource() private readonly dataSource: DataSource) {}

  /** Finds a token by hash and locks it until the transaction ends; `null` when none has that hash. */
  findByHashForUpdate(tokenHash: Buffer, manager: EntityManager): Promise<RefreshToken | null> {
    return manager.findOne(RefreshToken, { where: { tokenHash }, lock: { mode: 'pessimistic_write' } });
  }

  /** Finds a token by hash without locking; `null` when none has that hash. */
  findByHash(tokenHash: Buffer): Promise<RefreshToken | null> {
    return this.dataSource.manager.findOne(RefreshToken, { where: { tokenHash } });
  }

  /** The token that replaced `parentId`, locked; `null` when it has not been refreshed. */
  findSuccessorForUpdate(parentId: string, manager: EntityManager): Promise<RefreshToken | null> {
    return manager.findOne(RefreshToken, { where: { parentId }, lock: { mode: 'pessimistic_write' } });
  }

  /** Inserts a new token of a session; returns it. */
  async insert(sessionId: string, tokenHash: Buffer, parentId: string | null, manager: EntityManager): Promise<RefreshToken> {
    const token = Object.assign(new RefreshToken(), {
      id: randomUUID(),
      sessionId,
      tokenHash,
      parentId,
      createdAt: new Date(),
      usedAt: null,
      revokedAt: null,
    });
    await manager.insert(RefreshToken, token);
    return token;
  }

  /** Marks a token spent. */
  async markUsed(tokenId: string, at: Date, manager: EntityManager): Promise<void> {
    await manager.update(RefreshToken, { id: tokenId }, { usedAt: at });
  }

  /** Revokes every unrevoked token of a session; returns how many. */
  async revokeForSession(sessionId: string, at: Date, manager: EntityManager): Promise<number> {
    const result = await manager
      .createQueryBuilder()
      .update(RefreshToken)
      .set({ revokedAt: at })
      .where('session_id = :sessionId AND revoked_at IS NULL', { sessionId })
      .execute();
    return result.affected ?? 0;
  }
}
