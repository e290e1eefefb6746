import { computed, signal } from '@angular/core';

/**
 * What to do with a call that arrives while an earlier one is still running:
 * - `executeLast`: run one more after the pending one, with the newest call; the calls in between are dropped;
 * - `doNotExecute`: drop it;
 * - `executeAll`: queue it; every call runs, one after the other.
 */
export type InFlightPolicy = 'executeLast' | 'doNotExecute' | 'executeAll';

export interface ActionHooks<T, E> {
  onSuccess?: (value: T) => void;
  onError?: (error: E) => void;
}

export type ActionOutcome<T, E> =
  | { status: 'succeeded'; value: T }
  | { status: 'failed'; error: E }
  /** Never ran, because of the in-flight policy. */
  | { status: 'dropped' };

interface Call<T, E> {
  hooks: ActionHooks<T, E>;
  settle: (outcome: ActionOutcome<T, E>) => void;
}

/** An async action that never overlaps itself; {@link InFlightPolicy} decides about calls made while it runs. */
export class SerialAction<T, E = unknown> {
  private readonly running = signal(false);
  private readonly queued = signal<readonly Call<T, E>[]>([]);

  /** Whether a call is running or waiting to run (drives the spinner). */
  readonly pending = computed(() => this.running() || this.queued().length > 0);

  constructor(
    private readonly task: () => Promise<T>,
    private readonly policy: () => InFlightPolicy,
    private readonly toError: (error: unknown) => E = (error) => error as E,
  ) {}

  execute(hooks: ActionHooks<T, E> = {}): Promise<ActionOutcome<T, E>> {
    return new Promise((settle) => {
      const call: Call<T, E> = { hooks, settle };
      if (!this.running()) {
        void this.run(call);
        return;
      }
      switch (this.policy()) {
        case 'doNotExecute':
          settle({ status: 'dropped' });
          return;
        case 'executeLast':
          for (const dropped of this.queued()) dropped.settle({ status: 'dropped' });
          this.queued.set([call]);
          return;
        case 'executeAll':
          this.queued.update((calls) => [...calls, call]);
          return;
      }
    });
  }

  private async run(call: Call<T, E>): Promise<void> {
    this.running.set(true);
    let outcome: ActionOutcome<T, E>;
    try {
      outcome = { status: 'succeeded', value: await this.task() };
    } catch (error) {
      outcome = { status: 'failed', error: this.toError(error) };
    }
    // Hooks must not be able to break the queue.
    try {
      if (outcome.status === 'succeeded') call.hooks.onSuccess?.(outcome.value);
      else if (outcome.status === 'failed') call.hooks.onError?.(outcome.error);
    } catch (hookError) {
      console.error(hookError);
    }
    call.settle(outcome);
    const [next, ...rest] = this.queued();
    this.queued.set(rest);
    if (next) {
      void this.run(next);
    } else {
      this.running.set(false);
    }
  }
}
