import type { Queue } from 'bullmq';

/**
 * The `error` events of the library's BullMQ queue, listened to from the moment @nestjs/bullmq creates
 * it. BullMQ prints an `error` event that has no listener to stderr (`console.error`: a plain-text
 * stack outside the host's logger), and the queue connects as soon as it exists, while the provider
 * that logs Redis outages (`AuthRedis`) may be built much later, after the host's async options. So an
 * unreachable Redis at start-up printed one such stack. The errors that come before a listener are
 * kept (the last one) and handed to the first listener.
 */
export class QueueErrors {
  private listener: ((error: Error) => void) | undefined;
  private pending: Error | undefined;

  constructor(queue: Pick<Queue, 'on'>) {
    queue.on('error', (error: Error) => {
      if (this.listener) this.listener(error);
      else this.pending = error;
    });
  }

  /** Where the queue's errors go from now on; the last one so far, if any, goes there at once. */
  listen(listener: (error: Error) => void): void {
    this.listener = listener;
    const pending = this.pending;
    this.pending = undefined;
    if (pending) listener(pending);
  }
}
