/**
 * `work`'s outcome, or `onTimeout`'s (its value, or what it throws) when `ms` pass first. The timer
 * is cleared either way, so it never keeps the process alive or fires late.
 */
export async function withDeadline<T, U>(work: Promise<T>, ms: number, onTimeout: () => U): Promise<T | U> {
  let timer: NodeJS.Timeout | undefined;
  // Resolving with a promise of onTimeout's outcome carries what it throws as the rejection.
  const deadline = new Promise<U>((resolve) => {
    timer = setTimeout(() => resolve(Promise.resolve().then(onTimeout)), ms);
  });
  try {
    return await Promise.race([work, deadline]);
  } finally {
    clearTimeout(timer);
  }
}
