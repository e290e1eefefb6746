// B2 (revocation across two instances: acknowledgement latency and window) and the instance
// curve (1, 2, 4, 8, 16 instances: acknowledgement latency, guard throughput, Redis work).
import { Redis } from 'ioredis';
import { redisInfoField, rssOf, sleep, stats } from './common.mjs';
import { login, logins, me, post, register, startDemo } from './demo.mjs';
import { cannon } from './load-generator.mjs';

export async function runRevocation(context) {
  const { log } = context;
  const instances = [];
  const redis = new Redis(context.redisUrl);
  try {
    // No BullMQ workers: the logout path needs none, and their polling would blur Redis's counters.
    instances.push(await startDemo(context, { workers: false }));
    const email = `bench-revocation@example.com`;
    await register(instances[0], email);

    const curve = [];
    let b2 = null;
    for (const count of [...context.instanceCounts].sort((x, y) => x - y)) {
      const missing = count - instances.length;
      if (missing > 0) {
        log(`instances: starting ${missing} more (to ${count})`);
        instances.push(...(await Promise.all(Array.from({ length: missing }, () => startDemo(context, { workers: false })))));
        await sleep(1500);
      }
      const running = instances.slice(0, count);
      if (count === 2) b2 = await runB2(running, email, context);
      curve.push(await runCurvePoint(running, email, redis, context));
    }
    return { b2, curve };
  } finally {
    redis.disconnect();
    await Promise.all(instances.map((instance) => instance.stop()));
  }
}

/** B2: B serves a session from its cache; A logs it out; a probe keeps asking B. */
async function runB2([a, b], email, { b2Trials, log }) {
  log(`B2: ${b2Trials} trials on two instances`);
  const sessions = await logins(a, email, b2Trials);
  const acks = [];
  // Calibration: the same client's cached GET /api/auth/me on A, during the same probe, a request
  // that touches neither PostgreSQL nor Redis: the HTTP floor under the logout's own conditions.
  const cachedReads = [];
  let probesAfterAck = 0;
  let acceptedAfterAck = 0;
  for (const session of sessions) {
    await me(a, session.read);
    for (let i = 0; i < 3; i++) await me(b, session.read);
    let acknowledgedAt = Infinity;
    let probing = true;
    const probe = (async () => {
      while (probing) {
        const sentAt = performance.now();
        const status = await me(b, session.read);
        if (sentAt > acknowledgedAt) {
          probesAfterAck++;
          if (status === 200) acceptedAfterAck++;
        }
      }
    })();
    await sleep(20);
    const readStarted = performance.now();
    const readStatus = await me(a, session.read);
    cachedReads.push((performance.now() - readStarted) * 1000);
    if (readStatus !== 200) throw new Error(`B2 cached read answered ${readStatus}`);
    const started = performance.now();
    const status = await post(a, '/api/auth/logout', session.write);
    acknowledgedAt = performance.now();
    if (status !== 200) throw new Error(`B2 logout answered ${status}`);
    acks.push((acknowledgedAt - started) * 1000);
    await sleep(30);
    probing = false;
    await probe;
  }
  return { trials: b2Trials, ack: stats(acks), cachedRead: stats(cachedReads), probesAfterAck, acceptedAfterAck };
}

function commandCalls(info) {
  const calls = {};
  for (const match of info.matchAll(/^cmdstat_(\w+):calls=(\d+)/gm)) calls[match[1]] = Number(match[2]);
  return calls;
}

/** Redis's own counters: commands run (INFO itself left out), bytes sent, CPU seconds of the server. */
async function redisCounters(redis) {
  const info = await redis.call('INFO', 'commandstats', 'stats', 'cpu');
  const calls = commandCalls(info);
  const field = (name) => redisInfoField(info, name, 0);
  const total = Object.entries(calls).reduce((sum, [name, value]) => (name === 'info' ? sum : sum + value), 0);
  return { total, outputBytes: field('total_net_output_bytes'), cpuMicros: (field('used_cpu_user_main_thread') + field('used_cpu_sys_main_thread')) * 1e6 };
}

function delta(after, before) {
  return { total: after.total - before.total, outputBytes: after.outputBytes - before.outputBytes, cpuMicros: after.cpuMicros - before.cpuMicros };
}

function add(a, b) {
  return { total: a.total + b.total, outputBytes: a.outputBytes + b.outputBytes, cpuMicros: a.cpuMicros + b.cpuMicros };
}

/** One point of the curve: `running` instances, logouts answered by each in turn. */
async function runCurvePoint(running, email, redis, { ackTrials, connections, seconds, warmupSeconds, log }) {
  const count = running.length;
  const sessions = await logins(running[0], email, ackTrials);

  // What the instances cost Redis with nothing happening (heartbeats), to subtract below, and what
  // one pair of these measurements costs by itself (the INFO reply).
  const calibrationBefore = await redisCounters(redis);
  const calibration = delta(await redisCounters(redis), calibrationBefore);
  const idleBefore = await redisCounters(redis);
  const idleStarted = performance.now();
  await sleep(3000);
  const idle = delta(await redisCounters(redis), idleBefore);
  const idleSeconds = (performance.now() - idleStarted) / 1000;

  const acks = [];
  let acceptedAfterAck = 0;
  let checkedAfterAck = 0;
  let trialSeconds = 0;
  let trialCounters = { total: 0, outputBytes: 0, cpuMicros: 0 };
  for (const [i, session] of sessions.entries()) {
    // Every instance has the session in its cache.
    for (let pass = 0; pass < 2; pass++) await Promise.all(running.map((instance) => me(instance, session.read)));
    const revoker = running[i % count];
    const windowStarted = performance.now();
    const before = await redisCounters(redis);
    const started = performance.now();
    const status = await post(revoker, '/api/auth/logout', session.write);
    const acknowledgedAt = performance.now();
    if (status !== 200) throw new Error(`logout on ${count} instances answered ${status}`);
    acks.push((acknowledgedAt - started) * 1000);
    const statuses = await Promise.all(running.map((instance) => me(instance, session.read)));
    const after = delta(await redisCounters(redis), before);
    trialSeconds += (performance.now() - windowStarted) / 1000;
    trialCounters = add(trialCounters, after);
    checkedAfterAck += statuses.length;
    acceptedAfterAck += statuses.filter((code) => code === 200).length;
  }
  // Per revocation, net of the heartbeats that ran meanwhile (the cached checks touch no Redis).
  const perRevocation = (key) => (trialCounters[key] - (idle[key] / idleSeconds) * trialSeconds) / ackTrials - Math.max(0, calibration[key]);

  const reader = await login(running[0], email);
  const throughput = await cannon({ url: running.map((instance) => `${instance.url}/api/auth/me`), headers: reader.read, connections, warmupSeconds, seconds });
  const rss = running.reduce((sum, instance) => sum + rssOf(instance.pid), 0);
  const point = {
    instances: count,
    ack: stats(acks),
    acceptedAfterAck,
    checkedAfterAck,
    redisCommandsPerRevocation: perRevocation('total'),
    redisOutputBytesPerRevocation: perRevocation('outputBytes'),
    redisCpuMicrosPerRevocation: perRevocation('cpuMicros'),
    idleRedisCommandsPerSecond: idle.total / idleSeconds,
    idleRedisOutputBytesPerSecond: idle.outputBytes / idleSeconds,
    idleRedisCpuPercent: idle.cpuMicros / idleSeconds / 1e4,
    throughput,
    rssMiB: rss / 2 ** 20,
  };
  log(
    `instances ${count}: ack p50 ${(point.ack.p50 / 1000).toFixed(2)} ms p99 ${(point.ack.p99 / 1000).toFixed(2)} ms, accepted after ack ${acceptedAfterAck}/${checkedAfterAck}, ` +
      `Redis per logout: ${point.redisCommandsPerRevocation.toFixed(1)} commands, ${point.redisOutputBytesPerRevocation.toFixed(0)} bytes, ${point.redisCpuMicrosPerRevocation.toFixed(0)} µs CPU; ${throughput.rps.toFixed(0)} req/s`,
  );
  return point;
}
