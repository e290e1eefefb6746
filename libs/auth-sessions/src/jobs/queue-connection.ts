/**
 * Refuses to start when BullMQ has no connection for the library's queue: the host has not called
 * `BullModule.forRoot` (or `forRootAsync`), whose shared configuration the queue takes. BullMQ would
 * put the queue on `localhost:6379` without the host's prefix (whatever `redis` says), so a
 * credential change's jobs would land where no configured worker looks, and a worker would die at
 * start with BullMQ's "Worker requires a connection". Checked while the queue's options are made,
 * before the queue exists and writes anything.
 */
export function assertQueueConnection(sharedConfig: { readonly connection?: unknown } | undefined): void {
  if (sharedConfig?.connection !== undefined) return;
  throw new Error(
    "AuthSessionsModule: BullMQ has no Redis connection for the library's queue. Add BullModule.forRoot({ connection: " +
      "redisOptionsFromUrl(<the url of AuthSessionsModule's redis option>) }) to your root module; without it BullMQ would use " +
      'localhost:6379 and no worker of yours would see the jobs.',
  );
}
