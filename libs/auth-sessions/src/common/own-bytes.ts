import type { ValueTransformer } from 'typeorm';

/**
 * Reads a `bytea` column into a Buffer of its own. The driver decodes `bytea` into a slice of
 * Node's shared Buffer pool, and a slice that is kept (a cached session's token hash) keeps the
 * whole pool chunk it was cut from alive: with 100,000 sessions cached that was about 2 kB of
 * off-heap memory per session, as much again as the cache entry itself (bench/RESULTS.md, Memory).
 */
export const ownBytes: ValueTransformer = {
  to: (value: unknown) => value,
  from: (value: Buffer | null): Buffer | null => {
    if (value === null) return null;
    const own = Buffer.allocUnsafeSlow(value.length);
    value.copy(own);
    return own;
  },
};
