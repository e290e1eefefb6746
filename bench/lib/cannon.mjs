// Runs autocannon in its own process (so the load generator can be pinned to its own core) and
// prints one JSON line: { rps, p50, p99 (µs), requests, non2xx, errors, timeouts }.
//   node bench/lib/cannon.mjs '{"url": ..., "headers": {...}, "connections": 32, "warmupSeconds": 3, "seconds": 10}'
import autocannon from 'autocannon';

const options = JSON.parse(process.argv[2]);

function run(seconds) {
  return new Promise((resolve, reject) => {
    autocannon(
      {
        url: options.url,
        method: options.method ?? 'GET',
        headers: options.headers ?? {},
        connections: options.connections ?? 32,
        pipelining: 1,
        duration: seconds,
        timeout: 10,
      },
      (error, result) => (error ? reject(error) : resolve(result)),
    );
  });
}

if (options.warmupSeconds > 0) await run(options.warmupSeconds);
const result = await run(options.seconds);
const status2xx = result['2xx'];
console.log(
  JSON.stringify({
    rps: status2xx / (result.duration || options.seconds),
    requests: result.requests.total,
    p50: result.latency.p50 * 1000,
    p99: result.latency.p99 * 1000,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    status5xx: result['5xx'],
  }),
);
