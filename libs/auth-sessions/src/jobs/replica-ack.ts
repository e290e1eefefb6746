import type { Queue } from 'bullmq';

interface CommandClient {
  call(command: string, ...args: Array<string | number>): Promise<unknown>;
}

/**
 * Waits until a replica has every write made so far on the queue's connection, when the primary has
 * replicas (`WAIT 1`); returns at once when it has none. Replication is asynchronous: without this, a
 * job added a moment before the primary dies is gone from the promoted replica while its outbox
 * entry already says "relayed". With it, the entry stays pending and is relayed again (same job id,
 * so BullMQ keeps one job) until a replica holds it.
 */
export async function confirmReplicated(queue: Queue, timeoutMs: number): Promise<void> {
  const client = (await queue.getBackend().client) as unknown as CommandClient;
  let role: [string, number, unknown[]?];
  try {
    role = (await client.call('ROLE')) as [string, number, unknown[]?];
  } catch (error) {
    // An ACL that forbids ROLE (a reply, not a lost connection): relay without the replica check.
    if ((error as Error).name === 'ReplyError') return;
    throw error;
  }
  if (role[0] !== 'master' || !Array.isArray(role[2]) || role[2].length === 0) return;
  const acknowledged = Number(await client.call('WAIT', 1, timeoutMs));
  if (acknowledged < 1) throw new Error(`no replica confirmed the write within ${timeoutMs} ms`);
}
