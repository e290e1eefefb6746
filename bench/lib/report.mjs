// Writes bench/RESULTS.md, bench/results.json and the SVG charts from one run's results.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { GUARD_VARIANTS } from './guards.mjs';
import { barChart, lineChart } from './svg.mjs';

const benchDir = (name) => new URL(`../${name}`, import.meta.url);
let here = benchDir;
const ms = (us) => (Number.isFinite(us) ? `${(us / 1000).toFixed(us >= 100_000 ? 0 : us >= 10_000 ? 1 : 2)} ms` : 'n/a');
const moreOrLess = (us) => `${Math.abs(us).toFixed(1)} µs ${us < 0 ? 'less' : 'more'}`;
const usText = (us) => (Number.isFinite(us) ? (us >= 10_000 ? ms(us) : `${us.toFixed(0)} µs`) : 'n/a');
const x = (value, digits = 2) => (Number.isFinite(value) ? `${value.toFixed(digits)}×` : 'n/a');
const int = (value) => (Number.isFinite(value) ? Math.round(value).toLocaleString('en-US') : 'n/a');
const mib = (bytes) => `${(bytes / 2 ** 20).toFixed(0)} MiB`;

/** Saves a run's results (bench/results.json) and rewrites RESULTS.md; a partial run (--only) writes to /tmp instead. */
export function writeReport(results, { write }) {
  if (!write) {
    here = (name) => `/tmp/signoff-bench-partial-${name}`;
    writeFileSync(here('results.json'), JSON.stringify(results, null, 2) + '\n');
    render(results, null);
    return;
  }
  writeFileSync(benchDir('results.json'), JSON.stringify(results, null, 2) + '\n');
  renderResults();
}

/** Rewrites bench/RESULTS.md and the charts from bench/results.json and bench/load-results.json. */
export function renderResults() {
  const read = (name) => (existsSync(benchDir(name)) ? JSON.parse(readFileSync(benchDir(name), 'utf8')) : null);
  render(read('results.json'), read('load-results.json'));
}

function render(r, load) {
  const goals = [];
  const goal = (id, text, value, pass, note = '') => goals.push({ id, text, value, pass, note });
  const sections = [];
  r ??= { config: {}, durations: {}, date: 'never (run npm run bench)', totalSeconds: 0 };
  const c = r.config;

  sections.push(`# Benchmark results

Written by \`npm run bench\` (bench/run.mjs) in one run: every ratio below compares figures measured
minutes apart on the same machine. Read the ratios, not the absolutes; how each figure is measured
and why the goals are what they are: [docs/performance.md](../docs/performance.md).

- Date: ${r.date}; the run took ${(r.totalSeconds / 60).toFixed(1)} minutes${c.full ? ' (--full)' : ''}${c.quick ? ' (--quick: shortened, not for comparison)' : ''}
- Machine: ${r.machine ? `${r.machine.cpu}, ${r.machine.cores} cores, ${r.machine.memoryGiB} GiB, ${r.machine.os}; Node ${r.machine.node}` : 'n/a'}
- Load average (1 min) when the run started / ended: ${r.loadStart?.toFixed(2)} / ${r.loadEnd?.toFixed(2)}${r.loadStart > (r.machine?.cores ?? os.cpus().length) * 0.5 ? ' — **other work was running on this machine: treat absolute figures, and ratios close to their goal, as noisy**' : ''}
- PostgreSQL ${r.baselines?.serverVersion ?? ''} (synchronous_commit ${r.baselines?.synchronousCommit ?? '?'}), Redis ${r.redisOwn ? 'started by the run' : 'given by REDIS_URL'}; load from autocannon in its own process, ${c.connections} connections${c.pin ? ', the server pinned to CPU 0 and the load generator to CPU 1 for B1' : ''}`);

  const b = r.baselines;
  if (b) {
    sections.push(`## Baselines (same run)

| baseline | p50 | p99 |
| --- | --- | --- |
| P0 PostgreSQL \`SELECT 1\` round trip | ${usText(b.P0.p50)} | ${usText(b.P0.p99)} |
${r.scale ? `| P1 primary-key SELECT on \`auth_sessions\` (${int(r.scale.seeded.rows)} rows) | ${usText(r.scale.P1.p50)} | ${usText(r.scale.P1.p99)} |\n` : ''}| P2 single-row INSERT, autocommit (durable write) | ${usText(b.P2.p50)} | ${usText(b.P2.p99)} |
| R0 Redis GET round trip | ${usText(b.R0.p50)} | ${usText(b.R0.p99)} |
| R1 Redis PUBLISH → subscriber receives | ${usText(b.R1.p50)} | ${usText(b.R1.p99)} |
| C0 SHA-256 + timingSafeEqual | ${usText(b.C0_sha256.p50)} | ${usText(b.C0_sha256.p99)} |
| C0 jose HS256 verify | ${usText(b.C0_hs256.p50)} | ${usText(b.C0_hs256.p99)} |`);
  }

  const g = r.guards;
  if (g) {
    const v = g.variants;
    const inSitu = (key) => (v[key].inSituNs == null ? '–' : `${(v[key].inSituNs / 1000).toFixed(1)} µs`);
    // Wall time per request with the server's one CPU saturated, and what a guard's CPU turns into.
    const perRequest = (key) => 1e6 / v[key].rps;
    const calibrated = v.spin10 && v.empty ? (perRequest('spin10') - perRequest('empty')) / 10 : null;
    const inSituOver = (key, base) => (v[key].inSituNs != null && v[base].inSituNs != null ? (v[key].inSituNs - v[base].inSituNs) / 1000 : null);
    const cpu = (us) => (Number.isFinite(us) ? `${us.toFixed(1)} µs` : '–');
    const hasCpu = Number.isFinite(v.none.hostCpuUs);
    const rows = GUARD_VARIANTS.map(
      (variant) =>
        `| ${variant.label} | **${int(v[variant.key].rps)}** | ${v[variant.key].rounds.map(int).join(' / ')} | ${ms(v[variant.key].p50)} | ${ms(v[variant.key].p99)} | ${inSitu(variant.key)} | ${cpu(v[variant.key].hostCpuUs)} | ${cpu(v[variant.key].redisCpuUs)} | ${x(v[variant.key].rps / v.none.rps)} | ${v[variant.key].non2xx + v[variant.key].errors} |`,
    ).join('\n');
    const totalCpu = (key) => v[key].hostCpuUs + Math.max(0, v[key].redisCpuUs);
    const ratio = (a, bKey) => v[a].rps / v[bKey].rps;
    goal('B1', '(c) Signoff cookie ≥ 0.97 × (b) stateless passport-jwt', x(ratio('cookie', 'jwt')), ratio('cookie', 'jwt') >= 0.97);
    goal(
      'B1',
      '(c) Signoff cookie ≥ 0.90 × (a) no guard',
      x(ratio('cookie', 'none')),
      ratio('cookie', 'none') >= 0.9,
      `Signoff installed, guard off: ${x(ratio('installed', 'none'))}; (c) vs that: ${x(ratio('cookie', 'installed'))}` +
        (v.spin3 ? `; a guard burning exactly 3 µs: ${x(ratio('spin3', 'none'))}, 10 µs: ${x(ratio('spin10', 'none'))} (see B1 below)` : ''),
    );
    goal(
      'B1',
      '(c) Signoff cookie ≥ 1.5 × (e) express-session + connect-redis',
      x(ratio('cookie', 'store')),
      ratio('cookie', 'store') >= 1.5,
      `in CPU per request, the host's and Redis's: (e) costs ${x(totalCpu('store') / totalCpu('cookie'))} of (c) (see B1 below)`,
    );
    goal('B1', '(d) Signoff bearer ≥ 0.90 × (c) Signoff cookie', x(ratio('bearer', 'cookie')), ratio('bearer', 'cookie') >= 0.9);
    goal('B7', 'last-active writes per authenticated request ≤ 0.01', g.writesPerRequest.toFixed(5), g.writesPerRequest <= 0.01);
    writeFileSync(
      here('guards.svg'),
      barChart({
        title: 'Throughput by guard: the same handler, one run',
        subtitle: `GET /api/bench/me, ${g.connections} connections, median of ${g.rounds} rounds of ${g.seconds} s; ratio to no guard`,
        unit: 'requests per second answered 2xx (higher is better)',
        bars: GUARD_VARIANTS.map((variant) => ({
          label: variant.label,
          value: v[variant.key].rps,
          note: variant.key === 'none' ? '' : ` ${x(v[variant.key].rps / v.none.rps)}`,
          color:
            variant.key === 'cookie' || variant.key === 'bearer'
              ? '#1f6feb'
              : ['none', 'empty', 'installed', 'spin3', 'spin10'].includes(variant.key)
                ? '#57606a'
                : variant.key === 'cookieNoCache'
                  ? '#9ecbff'
                  : '#d1242f',
        })),
      }),
    );
    sections.push(`## B1: the same handler behind each guard

One small Nest host (bench/host, production build, importing \`@signoff/auth-sessions\` through its
package entry only) per variant; each round measures every variant back to back (order reversed
every other round), ${g.warmupSeconds} s warm-up then ${g.seconds} s.

![Throughput by guard](guards.svg)

| variant | req/s (median round) | rounds | p50 | p99 | arrival → handler | host CPU / request | Redis CPU / request | vs (a) | non-2xx + errors |
| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |
${rows}

*Host CPU / request*: the host process's user + system time over a round (/proc), divided by the
requests its handler answered; *Redis CPU / request*: the run's own Redis server's (\`INFO cpu\`)
over the same round, which includes the Signoff hosts' idle heartbeats (a few per second).

What separates (a) from (c) and (d), measured in this run:
- **Nest's guard machinery:** the empty global guard (a \`canActivate\` that returns \`true\`) runs at
  ${x(v.empty.rps / v.none.rps)} of (a).
- **Signoff in the process:** the same Signoff host with its guard off
  (\`globalGuard: false\`: no guard of the library on this route, the handler answering \`null\`) runs at ${x(v.installed.rps / v.none.rps)} of (a): the module's
  presence, not any per-request work of its guards.
- **Signoff's own work:** its three global guards (rate limiter, session, roles) take
  **${(g.guardCpu.cookie / 1000).toFixed(2)} µs** of CPU per cookie request and **${(g.guardCpu.bearer / 1000).toFixed(2)} µs** per bearer request, run in a loop in the
  host's process (\`GET /api/bench/guard-cost\`), against ${(1e6 / v.none.rps).toFixed(0)} µs for a whole request at (a)'s median
  throughput; (c) runs at ${x(v.cookie.rps / v.installed.rps)} of the same host with the guard off.${
    inSituOver('cookie', 'installed') == null
      ? ''
      : `
- **The same work in place:** under the benchmark's own load, in the host's process, a request
  takes **${inSituOver('cookie', 'installed').toFixed(1)} µs** longer from its arrival to the handler
  with Signoff's cookie guards than in the same host with them off, and **${inSituOver('bearer', 'installed').toFixed(1)} µs** with bearer (the
  *arrival → handler* column, the median request: an Express middleware notes the arrival, the handler the end). The loop
  above runs the same code hot; between two real requests everything else runs, and the token's
  SHA-256, the cache lookup and the cookie parse pay for cold caches.`
  }${
    calibrated == null
      ? ''
      : `
- **Calibration:** a global guard that burns exactly 3 µs of CPU per request runs at
  ${x(v.spin3.rps / v.none.rps)} of (a), one that burns 10 µs at ${x(v.spin10.rps / v.none.rps)}: on this machine each µs a
  guard spends costs about **${calibrated.toFixed(1)} µs** of wall time per request (the closed loop leaves the load generator
  waiting and each wake-up of it across CPUs costs the server more: see docs/performance.md). The
  goal (c) ≥ 0.9 × (a) asks for Signoff's whole per-request work to cost no more than the 3 µs
  guard does.`
  }${
    hasCpu
      ? `
- **In CPU:** with the host's CPU saturated, its throughput is the inverse of its CPU per request
  (for (a): 1 s / ${cpu(v.none.hostCpuUs)} = ${int(1e6 / v.none.hostCpuUs)} req/s against ${int(v.none.rps)} measured). So (c) ≥ 0.9 × (a) allows
  (c) ${cpu(v.none.hostCpuUs / 0.9)} per request, **${cpu(v.none.hostCpuUs / 0.9 - v.none.hostCpuUs)} more than (a)**. The Signoff host with its guard off
  spends ${moreOrLess(v.installed.hostCpuUs - v.none.hostCpuUs)}, the 3 µs guard ${moreOrLess(v.spin3.hostCpuUs - v.none.hostCpuUs)} (rounds this close are within the noise), and Signoff's cookie guards
  ${cpu(v.cookie.hostCpuUs - v.installed.hostCpuUs)} over the same host with them off (bearer ${cpu(v.bearer.hostCpuUs - v.installed.hostCpuUs)}).`
      : ''
  }

${
  hasCpu
    ? `**(c) against (e), in CPU:** a Signoff cookie request cost the host ${cpu(v.cookie.hostCpuUs)} and Redis ${cpu(v.cookie.redisCpuUs)};
an express-session request cost the host ${cpu(v.store.hostCpuUs)} and Redis ${cpu(v.store.redisCpuUs)}: ${x(totalCpu('store') / totalCpu('cookie'))} the CPU of (c) in all,
while its throughput is ${x(v.store.rps / v.cookie.rps)} of (c)'s. Only the host is pinned to CPU 0 (the load generator to CPU 1);
Redis is not pinned, so (e)'s Redis work is mostly paid from the other CPU, not from the host's.

`
    : ''
}(b) and (c) to (e) are the designs a Nest team chooses between: (b) checks a signature and has a
revocation window as long as the token lives; (c), (d) and (e) have none. (c) and (d) serve a
session from the instance cache (see the README's *How revocation stays instant*); (d) verifies
each distinct access token's signature once per instance. Last-active writes per authenticated
request (B7): **${g.writesPerRequest.toFixed(5)}** (an express-session touch is 1.0).`);
  }

  const rv = r.revocation;
  if (rv?.b2 && b) {
    const rtP50 = b.P2.p50 + b.R0.p50;
    const rtP99 = b.P2.p99 + b.R0.p99;
    const b2 = rv.b2;
    goal(
      'B2',
      'acknowledgement p99 ≤ 3 × (P2 + R0) p99, two instances',
      `${ms(b2.ack.p99)} = ${x(b2.ack.p99 / rtP99)}`,
      b2.ack.p99 <= 3 * rtP99,
      `against the p50s: ${x(b2.ack.p99 / rtP50)}${
        b2.cachedRead ? `; a cached \`GET /api/auth/me\` alone (no PostgreSQL, no Redis): ${x(b2.cachedRead.p99 / rtP99)}` : ''
      }`,
    );
    goal('B2', 'window: requests accepted after the acknowledgement = 0', `${b2.acceptedAfterAck} of ${b2.probesAfterAck}`, b2.acceptedAfterAck === 0);
    sections.push(`## B2: revocation across two instances

Instance B serves a session from its cache while a probe keeps asking it; A logs the session out
(\`POST /api/auth/logout\`: one statement that ends the row and writes its audit event, then the
announcement and B's acknowledgement). ${b2.trials} trials.

| | p50 | p99 |
| --- | --- | --- |
| logout acknowledgement (HTTP round trip) | ${ms(b2.ack.p50)} | ${ms(b2.ack.p99)} |
| PostgreSQL durable write + Redis round trip (P2 + R0) | ${usText(rtP50)} | ${usText(rtP99)} |
| ratio | ${x(b2.ack.p50 / rtP50)} | ${x(b2.ack.p99 / rtP99)} |${
      b2.cachedRead
        ? `
| calibration: a cached \`GET /api/auth/me\` on A just before each logout, same client, same probe | ${ms(b2.cachedRead.p50)} | ${ms(b2.cachedRead.p99)} |
| its ratio to P2 + R0 | ${x(b2.cachedRead.p50 / rtP50)} | ${x(b2.cachedRead.p99 / rtP99)} |`
        : ''
    }

Requests sent to B after the acknowledgement: ${b2.probesAfterAck}; accepted: **${b2.acceptedAfterAck}** (the window; goal 0).${
      b2.cachedRead
        ? `

The calibration row is an HTTP request that reads neither store: what any answer over HTTP costs
here before a logout does any of its work (the transaction, the announcement, B's acknowledgement).`
        : ''
    }`);
  }
  if (rv?.curve?.length) {
    const curve = rv.curve;
    const counts = curve.map((point) => point.instances);
    const rows = curve
      .map(
        (p) =>
          `| ${p.instances} | ${ms(p.ack.p50)} | ${ms(p.ack.p99)} | ${p.redisCommandsPerRevocation.toFixed(1)} | ${int(p.redisOutputBytesPerRevocation)} | ${p.idleRedisCommandsPerSecond.toFixed(1)} | ${int(p.throughput.rps)} | ${p.rssMiB.toFixed(0)} MiB | ${p.acceptedAfterAck} of ${p.checkedAfterAck} |`,
      )
      .join('\n');
    const first = curve.find((p) => p.instances === 2) ?? curve[0];
    const last = curve[curve.length - 1];
    const growth = last.ack.p50 / first.ack.p50;
    const instanceGrowth = last.instances / first.instances;
    goal(
      'Instances',
      `acknowledgement p50 grows sub-linearly: ${first.instances} → ${last.instances} instances (${instanceGrowth}×)`,
      x(growth),
      growth < instanceGrowth,
    );
    const accepted = curve.reduce((sum, p) => sum + p.acceptedAfterAck, 0);
    goal(
      'Instances',
      'window at every instance count: accepted after the acknowledgement = 0',
      `${accepted} of ${curve.reduce((sum, p) => sum + p.checkedAfterAck, 0)}`,
      accepted === 0,
    );
    writeFileSync(
      here('ack-by-instances.svg'),
      lineChart({
        title: 'Logout acknowledgement by instance count',
        subtitle: 'every instance acknowledges (or its lease runs out) before the logout answers; this machine has 2 cores',
        xLabel: 'instances (log scale)',
        yLabel: 'milliseconds',
        xs: counts,
        logX: true,
        series: [
          { name: 'p50', values: curve.map((p) => p.ack.p50 / 1000) },
          { name: 'p99', values: curve.map((p) => p.ack.p99 / 1000), dashed: true, color: '#d1242f' },
        ],
      }),
    );
    writeFileSync(
      here('throughput-by-instances.svg'),
      lineChart({
        title: 'Guard throughput by instance count',
        subtitle: 'GET /api/auth/me (cookie, cached) spread over every instance, all on the same 2 cores',
        xLabel: 'instances (log scale)',
        yLabel: 'requests per second, all instances',
        xs: counts,
        logX: true,
        series: [{ name: 'req/s', values: curve.map((p) => p.throughput.rps) }],
      }),
    );
    writeFileSync(
      here('redis-by-instances.svg'),
      lineChart({
        title: 'Redis work per logout by instance count',
        subtitle: 'bytes Redis sent (pub/sub deliveries and replies) and commands it ran per logout, net of heartbeats',
        xLabel: 'instances (log scale)',
        yLabel: 'bytes / commands × 100',
        xs: counts,
        logX: true,
        series: [
          { name: 'bytes sent per logout', values: curve.map((p) => p.redisOutputBytesPerRevocation) },
          { name: 'commands per logout × 100', values: curve.map((p) => p.redisCommandsPerRevocation * 100), color: '#9a6700', dashed: true },
        ],
      }),
    );
    sections.push(`## Instances: acknowledgement and throughput with 1 to ${last.instances} instances

All instances run on this one machine; each logout is answered by the next instance in turn, every
instance has the session cached, and right after the answer every instance is asked again (the
window). Redis commands and bytes per logout are counted from the run's own Redis (\`INFO\`), net
of the heartbeats measured while idle.

![Acknowledgement by instance count](ack-by-instances.svg)

![Throughput by instance count](throughput-by-instances.svg)

![Redis work per logout by instance count](redis-by-instances.svg)

| instances | ack p50 | ack p99 | Redis commands / logout | Redis bytes out / logout | idle Redis commands / s | req/s (all instances) | RSS (all) | accepted after ack |
| --- | --- | --- | --- | --- | --- | --- | --- | --- |
${rows}

A logout costs Redis one announcement script and one acknowledgement script per other instance
(each O(1)); each instance handles one message per logout whatever the count, and the revoking
instance waits for one notice. What that means for 100 instances: docs/performance.md.`);
  }

  const s = r.scale;
  if (s) {
    const P1 = s.P1;
    const b3Rows = s.b3
      .map(
        (p) =>
          `| ${int(p.sessions)} | ${p.repetitions} | ${ms(p.ack.p50)} | ${x(p.ack.p50 / P1.p50, 0)} | ${x(p.ack.p50 / s.b3[0].ack.p50, 1)} | ${p.acceptedAfterAck} of ${p.sampled} | ${usText(p.epochBumpSql.p50)} | ${ms(p.exactCountSql.p50)} |`,
      )
      .join('\n');
    const biggest = s.b3[s.b3.length - 1];
    goal(
      'B3',
      `logout-all acknowledgement at ${int(biggest.sessions)} sessions ≤ 3 × P1`,
      `${ms(biggest.ack.p50)} = ${x(biggest.ack.p50 / P1.p50, 0)}`,
      biggest.ack.p50 <= 3 * P1.p50,
      'see docs/performance.md: the goal is below one durable commit',
    );
    goal(
      'B3',
      `logout-all flat: ${int(biggest.sessions)} sessions ≤ 3 × ${int(s.b3[0].sessions)} sessions`,
      x(biggest.ack.p50 / s.b3[0].ack.p50, 1),
      biggest.ack.p50 <= 3 * s.b3[0].ack.p50,
      `the answer's exact count reads every open session of the user (the count alone, on the bench's connection: ${ms(biggest.exactCountSql.p50)}); see docs/performance.md, B3`,
    );
    const b3Accepted = s.b3.reduce((sum, p) => sum + p.acceptedAfterAck, 0);
    goal(
      'B3',
      'window: sampled sessions accepted after the acknowledgement = 0',
      `${b3Accepted} of ${s.b3.reduce((sum, p) => sum + p.sampled, 0)}`,
      b3Accepted === 0,
    );
    const b4 = s.b4;
    goal('B4', `own-device list p99 ≤ 2 × P1 p99 (${int(s.seeded.rows)} rows)`, x(b4.typical.p99 / P1.p99), b4.typical.p99 <= 2 * P1.p99);
    const seqScans = Object.entries(b4.plans)
      .filter(([, plan]) => plan.seqScan)
      .map(([name]) => name);
    goal(
      'B4',
      'no sequential scan of auth_sessions (EXPLAIN)',
      seqScans.length ? seqScans.join(', ') : `index: ${b4.plans.typical.indexes.join(', ')}`,
      seqScans.length === 0,
    );
    const b5Ratio = s.b5.withAudit.p50 / s.b5.without.p50;
    const b5Separate = s.b5.separateStatements ? s.b5.separateStatements.p50 / s.b5.without.p50 : null;
    goal(
      'B5',
      'revoke with its audit row ≤ 1.2 × without (p50)',
      x(b5Ratio),
      b5Ratio <= 1.2,
      `p99: ${x(s.b5.withAudit.p99 / s.b5.without.p99)}${b5Separate === null ? '' : `; the audit row as a second statement in a transaction (before 12-03): ${x(b5Separate)}`}`,
    );
    const planRows = Object.entries(b4.plans)
      .map(([name, plan]) => `| ${name} | ${plan.nodes.join(', ')} | ${plan.indexes.join(', ') || '—'} | ${plan.buffers} | ${plan.executionMs.toFixed(3)} ms |`)
      .join('\n');
    sections.push(`## Scale: ${int(s.seeded.rows)} sessions in the table

Seeded in ${s.seeded.seedSeconds.toFixed(0)} s: ${int(s.seeded.users)} users with a Zipf-like share of sessions (a third active),
one heavy user with 1,000 active and 10,000 ended sessions. P1 above is measured on this table.

### B3: logout everywhere for one user with 10 / 1k / 100k sessions

\`POST /api/auth/logout-all\` through instance A while A and B both have 100 of the user's sessions
cached; right after the answer those 100 are asked again on both instances. Each trial starts once
the previous trial's clean-up job has marked its user's rows (the longest wait: ${s.b3CleanupWaitMs == null ? '–' : ms(s.b3CleanupWaitMs * 1000)}), and
from 10,000 sessions on, the seeded rows are vacuumed first, as an account's rows are long before it
has that many sessions.

| sessions | trials | ack (median) | vs P1 p50 | vs 10 sessions | accepted after ack | epoch bump + audit row (SQL, no commit) | exact active count (SQL) |
| --- | --- | --- | --- | --- | --- | --- | --- |
${b3Rows}

The last two columns time, on the same user, the statements of the other design (the one credential
changes already use): one epoch bump ends every session in O(1), and the exact count the answer
carries (\`{revoked: n}\`) is what stays O(n).

### B4: own-device list (\`GET /api/auth/sessions\`)

| query | p50 | p99 | p99 / P1 p99 |
| --- | --- | --- | --- |
| typical user, active sessions (SessionRepository.listForUser) | ${usText(b4.typical.p50)} | ${usText(b4.typical.p99)} | ${x(b4.typical.p99 / P1.p99)} |
| typical user, with the user's epoch read | ${usText(b4.typicalWithEpoch.p50)} | ${usText(b4.typicalWithEpoch.p99)} | ${x(b4.typicalWithEpoch.p99 / P1.p99)} |
| typical user, with 30 days of ended sessions | ${usText(b4.typicalWithEnded.p50)} | ${usText(b4.typicalWithEnded.p99)} | ${x(b4.typicalWithEnded.p99 / P1.p99)} |
| heavy user (1,000 active of 11,000) | ${usText(b4.heavy.p50)} | ${usText(b4.heavy.p99)} | ${x(b4.heavy.p99 / P1.p99)} |
| over HTTP, a signed-in user with 5 sessions (whole request) | ${usText(b4.http.p50)} | ${usText(b4.http.p99)} | ${x(b4.http.p99 / P1.p99)} |

| plan (EXPLAIN ANALYZE, BUFFERS) | nodes | indexes | buffers | execution |
| --- | --- | --- | --- | --- |
${planRows}

### B5: audit row inside the revoke

The revoke of one session (SessionRepository.revoke's statement, committed alone) against the same
statement with the \`logout\` audit row written by it (AuditEventRepository.insertForEachSql: what a
logout sends since 2026-12-03), and, for comparison, the design before it: a transaction with the
revoke and the insert as two statements; ${s.b5.trials} of each, interleaved, each sent as an unnamed
statement (planned at each run), as TypeORM sends them.

| | p50 | p99 | p50 vs alone |
| --- | --- | --- | --- |
| revoke (one statement) | ${usText(s.b5.without.p50)} | ${usText(s.b5.without.p99)} | 1.00× |
| revoke writing its audit row (one statement) | ${usText(s.b5.withAudit.p50)} | ${usText(s.b5.withAudit.p99)} | ${x(s.b5.withAudit.p50 / s.b5.without.p50)} |
${
  s.b5.separateStatements
    ? `| \`BEGIN\`, revoke, audit insert, \`COMMIT\` (before 12-03) | ${usText(s.b5.separateStatements.p50)} | ${usText(s.b5.separateStatements.p99)} | ${x(s.b5.separateStatements.p50 / s.b5.without.p50)} |

The audit row costs **${usText(s.b5.withAudit.p50 - s.b5.without.p50)}** at the median when the revoke writes it;
as its own statement in a transaction the same row cost ${usText(s.b5.separateStatements.p50 - s.b5.without.p50)} (three more round trips).`
    : ''
}`);
  }

  const m = r.memory;
  if (m) {
    sections.push(`## Memory

A Signoff host process (run with \`--expose-gc\`; the heap is read after a full collection).
${int(m.sessions)} active sessions, half cookie and half bearer, each sent one request
(${m.driveSeconds.toFixed(0)} s; ${m.failures} failed). The figures per session divide by the entries the cache
gained (its metric); the cache keeps only the last 2 s of fills (\`CACHE_TRUST_MS\`), so the bearer figure is
corrected for the cookie entries it dropped meanwhile, and the phase refuses to report if the cache gained
fewer than 200 (it was not caching).${
      m.attempt > 1 ? ' The first host of this run did not cache (it did not trust its cache); these are from a second one.' : ''
    }

| figure | value |
| --- | --- |
| heap per cached cookie session (session cache entry) | ${int(m.bytesPerCookieSession)} bytes |
| heap per cached bearer session (verified token + session cache entry) | ${int(m.bytesPerBearerSession)} bytes |
| off the heap (Buffers) per cached cookie session / bearer session | ${m.offHeapPerCookieSession === undefined ? 'n/a' : `${int(m.offHeapPerCookieSession)} / ${int(m.offHeapPerBearerSession)} bytes`} |
| sessions in the instance's cache at the end (\`signoff_session_cache_entries\`) | ${m.end.cached === undefined ? 'n/a' : int(m.end.cached)} |
| RSS before / after ${int(m.sessions)} active sessions | ${mib(m.start.rss)} / ${mib(m.end.rss)} |
| heap used before / after | ${mib(m.start.heapUsed)} / ${mib(m.end.heapUsed)} |
| Buffers (\`arrayBuffers\`) before / after | ${mib(m.start.arrayBuffers)} / ${mib(m.end.arrayBuffers)} |

Both caches are bounded: the session cache at 100,000 entries, the verified-token cache at 50,000.`);
    goal('Memory', `RSS with ${int(m.sessions)} active sessions (reported)`, mib(m.end.rss), true, 'no goal set: see docs/performance.md');
  }

  if (load) sections.push(loadSection(load, goal));

  const summary = goals.map((item) => `| ${item.id} | ${item.text} | ${item.value} | ${item.pass ? 'pass' : '**FAIL**'} | ${item.note} |`).join('\n');
  const text = `${sections[0]}

## Goals

| | goal | this run | | note |
| --- | --- | --- | --- | --- |
${summary}

${sections.slice(1).join('\n\n')}

---
Phase durations: ${Object.entries(r.durations)
    .map(([name, seconds]) => `${name} ${seconds.toFixed(0)} s`)
    .join(', ')}.
`;
  writeFileSync(here('RESULTS.md'), text);
  console.log(text);
}

function loadSection(l, goal) {
  goal(
    'Load',
    `${l.virtualUsers} virtual users, ${l.seconds.toFixed(0)} s, two instances: responses ≥ 500`,
    int(l.fiveXx),
    l.fiveXx === 0,
    `of ${int(l.requests)} requests`,
  );
  goal(
    'Load',
    'connection errors (resets, refused, timeouts)',
    int(l.connectionErrors),
    l.connectionErrors === 0,
    Object.entries(l.errorMessages)
      .map(([code, n]) => `${code}: ${n}`)
      .join(', '),
  );
  goal(
    'Load',
    'requests accepted after an acknowledged revocation',
    `${l.acceptedAfterRevocation} of ${l.checkedAfterRevocation}`,
    l.acceptedAfterRevocation === 0,
  );
  const growth = Math.max(...l.rssGrowthAfterWarmup);
  goal(
    'Load',
    `RSS flat after the ${l.warmupSeconds.toFixed(0)} s warm-up (median of the last third ≤ 1.1 × the first third's)`,
    l.rssGrowthAfterWarmup.map((g) => x(g, 3)).join(' / '),
    growth <= 1.1,
  );
  const rows = Object.entries(l.latency)
    .sort(([, a], [, b]) => b.n - a.n)
    .map(([action, s]) => `| ${action} | ${int(s.n)} | ${ms(s.p50)} | ${ms(s.p99)} |`)
    .join('\n');
  const statuses = Object.entries(l.byStatus)
    .map(([status, n]) => `${status}: ${int(n)}`)
    .join(', ');
  const afterWarmup = l.rss.filter((sample) => sample.at >= l.warmupSeconds).map((sample) => sample.rss);
  const range = [0, 1].map((i) => `${mib(Math.min(...afterWarmup.map((r) => r[i])))} to ${mib(Math.max(...afterWarmup.map((r) => r[i])))}`);
  return `## Load: \`npm run bench:load\`

${l.date}, load average ${l.loadAverage.toFixed(2)} at the end. ${l.virtualUsers} virtual users (${l.accounts} accounts, two virtual users each; two admins)
for ${l.seconds.toFixed(0)} s against two instances, keep-alive connections held up to 60 s as a load balancer would:
browsers sign in, read (\`/me\`, the device list), then log out or log out everywhere; API clients get
tokens, read with the bearer, refresh, then log out or revoke the refresh token; admins revoke random
live sessions. After each acknowledged revocation the next request with that credential (on either
instance) is checked, as is every later request of a virtual user that does not know yet.

- ${int(l.requests)} requests (${int(l.requestsPerSecond)}/s); statuses: ${statuses}
- revocations acknowledged: ${int(l.revocations)}; requests checked after one: ${int(l.checkedAfterRevocation)}; accepted: **${l.acceptedAfterRevocation}**
- 5xx: **${l.fiveXx}**; connection errors: **${l.connectionErrors}**${
    l.violations.length
      ? `; first problems: ${l.violations
          .slice(0, 5)
          .map((v) => `\`${v}\``)
          .join('; ')}`
      : ''
  }
- RSS after the warm-up, median of the first third → of the last third (one sample every 2 s): ${l.rssThirdsAfterWarmup
    .map(([first, last]) => `${mib(first)} → ${mib(last)}`)
    .join(' / ')}; single samples ranged ${range.join(' / ')}, because each sign-in's argon2 hash holds 64 MiB while it runs

| action | requests | p50 | p99 |
| --- | --- | --- | --- |
${rows}`;
}
