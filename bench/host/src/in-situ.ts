import type { NextFunction, Request, Response } from 'express';

const ARRIVED_AT = Symbol('bench.arrivedAt');

type TimedRequest = Request & { [ARRIVED_AT]?: bigint };

/** Each request's time from arrival to the handler since the last reset, in nanoseconds. */
let timed: number[] = [];

/**
 * The first middleware of the host: notes when the request reached the app, so the handler can tell
 * how long everything in between (Nest's routing, the guards, any session middleware) took, in this
 * process, under the benchmark's own load. Every variant pays the same for the two clock reads.
 */
export function markArrival(req: TimedRequest, _res: Response, next: NextFunction): void {
  req[ARRIVED_AT] = process.hrtime.bigint();
  next();
}

/** Called by the handler: adds this request's time from arrival to here. */
export function reachedHandler(req: Request): void {
  const arrivedAt = (req as TimedRequest)[ARRIVED_AT];
  if (arrivedAt === undefined) return;
  timed.push(Number(process.hrtime.bigint() - arrivedAt));
}

/**
 * `GET /bench-in-situ`: the median time from arrival to the handler since the last reset, in
 * nanoseconds (the median, as the few requests that wait for PostgreSQL, a cache refill say, would
 * swamp a mean); `?reset=1` starts a new count. Mounted on Express itself, ahead of Nest's router,
 * so no variant's guard stands in front of it.
 */
export function inSituRoute(req: Request, res: Response): void {
  const sorted = Float64Array.from(timed).sort();
  res.json({ count: sorted.length, medianNs: sorted.length ? sorted[sorted.length >> 1] : null });
  if (req.query['reset'] === '1') timed = [];
}
