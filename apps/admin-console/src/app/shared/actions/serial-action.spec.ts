import { SerialAction, type InFlightPolicy } from './serial-action';

function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** An action whose runs finish only when the test says so; `runs` counts started runs. */
function controlledAction(policy: InFlightPolicy) {
  const gates: Array<ReturnType<typeof deferred<number>>> = [];
  const action = new SerialAction<number>(
    () => {
      const gate = deferred<number>();
      gates.push(gate);
      return gate.promise;
    },
    () => policy,
  );
  return { action, gates };
}

const flush = () => new Promise((resolve) => setTimeout(resolve));

describe('SerialAction', () => {
  describe('when idle', () => {
    it('should run at once, report pending, and call onSuccess', async () => {
      const { action, gates } = controlledAction('executeLast');
      const onSuccess = vi.fn();
      const outcome = action.execute({ onSuccess });
      expect(action.pending()).toBe(true);
      gates[0].resolve(7);
      expect(await outcome).toEqual({ status: 'succeeded', value: 7 });
      expect(onSuccess).toHaveBeenCalledWith(7);
      expect(action.pending()).toBe(false);
    });

    it('should call onError with the failure and keep working afterwards', async () => {
      const { action, gates } = controlledAction('executeLast');
      const onError = vi.fn();
      const failed = action.execute({ onError });
      gates[0].reject(new Error('503'));
      expect(await failed).toEqual({ status: 'failed', error: new Error('503') });
      expect(onError).toHaveBeenCalledOnce();
      const next = action.execute();
      gates[1].resolve(1);
      expect((await next).status).toBe('succeeded');
    });
  });

  describe('executeLast', () => {
    it('should run one more after the pending call, with the newest call, and drop the ones between', async () => {
      const { action, gates } = controlledAction('executeLast');
      const first = action.execute();
      const second = action.execute();
      const third = action.execute();
      expect(await second).toEqual({ status: 'dropped' });
      expect(gates).toHaveLength(1);
      gates[0].resolve(1);
      await first;
      await flush();
      expect(gates).toHaveLength(2);
      gates[1].resolve(2);
      expect(await third).toEqual({ status: 'succeeded', value: 2 });
      expect(gates).toHaveLength(2);
    });
  });

  describe('doNotExecute', () => {
    it('should drop every call made while one is pending', async () => {
      const { action, gates } = controlledAction('doNotExecute');
      const first = action.execute();
      expect(await action.execute()).toEqual({ status: 'dropped' });
      expect(await action.execute()).toEqual({ status: 'dropped' });
      gates[0].resolve(1);
      await first;
      await flush();
      expect(gates).toHaveLength(1);
      expect(action.pending()).toBe(false);
    });
  });

  describe('executeAll', () => {
    it('should run every call, one after the other, never two at once', async () => {
      const { action, gates } = controlledAction('executeAll');
      const outcomes = [action.execute(), action.execute(), action.execute()];
      for (let index = 0; index < 3; index++) {
        await flush();
        expect(gates).toHaveLength(index + 1);
        expect(action.pending()).toBe(true);
        gates[index].resolve(index);
      }
      expect((await Promise.all(outcomes)).map((outcome) => outcome.status)).toEqual(['succeeded', 'succeeded', 'succeeded']);
      expect(action.pending()).toBe(false);
    });
  });
});
