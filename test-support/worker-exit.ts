import { runInThisContext } from 'node:vm';

type ExitCallback = () => void;

const REGISTRY = Symbol.for('signoff.test-support.worker-exit');
const SIGNALS: NodeJS.Signals[] = ['SIGTERM', 'SIGINT', 'SIGHUP'];

/**
 * Inside a Jest test file `process` is a sandbox copy whose events never fire, so a child registered
 * there would outlive the worker. The host realm's `process` is the one that exits.
 */
const hostProcess = runInThisContext('process') as NodeJS.Process;

function callbacks(): Set<ExitCallback> {
  const holder = hostProcess as unknown as Record<symbol, Set<ExitCallback> | undefined>;
  const existing = holder[REGISTRY];
  if (existing) return existing;
  // Kept on the host process so every test file in a worker shares one set of listeners.
  const created = new Set<ExitCallback>();
  holder[REGISTRY] = created;
  const runAll = (): void => {
    for (const callback of created) {
      try {
        callback();
      } catch {
        // Exit handlers are best effort; one failure must not skip the others.
      }
    }
    created.clear();
  };
  hostProcess.on('exit', runAll);
  // Jest ends a worker that does not exit by itself with SIGTERM (then SIGKILL), which skips 'exit'.
  const onSignal = (signal: NodeJS.Signals): void => {
    runAll();
    for (const name of SIGNALS) hostProcess.removeListener(name, onSignal);
    // Without our listener the signal gets its default effect again (unless someone else listens).
    if (hostProcess.listenerCount(signal) === 0) hostProcess.kill(hostProcess.pid, signal);
  };
  for (const signal of SIGNALS) hostProcess.on(signal, onSignal);
  return created;
}

/**
 * Runs `callback` synchronously when the worker process exits or is told to terminate; the returned
 * function cancels it.
 */
export function onWorkerExit(callback: ExitCallback): () => void {
  const registered = callbacks();
  registered.add(callback);
  return () => {
    registered.delete(callback);
  };
}
