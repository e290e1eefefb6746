import { Injectable } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import { AppRedis } from '../infrastructure/redis.module.js';

/** The two settings BullMQ's "Going to production" asks for, as `INFO` reports them. */
export interface RedisDurability {
  maxmemoryPolicy: string | null;
  aofEnabled: boolean | null;
}

/**
 * Redis answers PING (fails fast: the client never queues commands while disconnected) and is fit
 * for queue data (JOB-05):
 * - a `maxmemory-policy` other than `noeviction` makes health **down** (503): under memory pressure
 *   Redis would delete BullMQ jobs and their locks without an error, which nothing downstream can
 *   notice; refusing traffic at roll-out is the loud failure that gets it fixed;
 * - AOF off is a **warning** in a 200: a restart then loses queued jobs (the sessions they clean up
 *   stay ended, PostgreSQL decides that), a loss that is bounded and visible, and some deployments
 *   get their durability from replicas and snapshots instead (docs/redis.md).
 * `INFO` rather than `CONFIG GET`, which managed services often rename or forbid.
 */
@Injectable()
export class RedisHealthIndicator {
  constructor(
    private readonly redis: AppRedis,
    private readonly health: HealthIndicatorService,
  ) {}

  async isHealthy(key: 'redis') {
    const indicator = this.health.check(key);
    try {
      await this.redis.client.ping();
    } catch {
      return indicator.down({ message: 'Redis is not answering' });
    }
    // A Redis whose ACL forbids INFO still answers: unknown settings are a warning, not an outage.
    const { maxmemoryPolicy, aofEnabled } = await this.durability().catch((): RedisDurability => ({ maxmemoryPolicy: null, aofEnabled: null }));
    if (maxmemoryPolicy !== null && maxmemoryPolicy !== 'noeviction') {
      return indicator.down({
        message: `Redis maxmemory-policy is ${maxmemoryPolicy}: it may evict queued jobs and their locks. Set maxmemory-policy noeviction (docs/redis.md)`,
        maxmemoryPolicy,
      });
    }
    const warnings: string[] = [];
    if (maxmemoryPolicy === null) warnings.push('could not read maxmemory_policy (INFO memory): check maxmemory-policy noeviction by hand');
    if (aofEnabled === false) warnings.push('appendonly is off: a Redis restart loses queued jobs; set appendonly yes (docs/redis.md)');
    return indicator.up({ maxmemoryPolicy, appendonly: aofEnabled, ...(warnings.length > 0 ? { warnings } : {}) });
  }

  private async durability(): Promise<RedisDurability> {
    // Two calls: INFO with several sections needs Redis 7.
    const [memory, persistence] = await Promise.all([this.redis.client.info('memory'), this.redis.client.info('persistence')]);
    const field = (text: string, name: string) => new RegExp(`^${name}:(.*)$`, 'm').exec(text)?.[1]?.trim() ?? null;
    const aof = field(persistence, 'aof_enabled');
    return { maxmemoryPolicy: field(memory, 'maxmemory_policy'), aofEnabled: aof === null ? null : aof === '1' };
  }
}
