import { BUS_PROTOCOL, describeInstance, settlesBefore } from './session-bus.js';

describe('describeInstance', () => {
  const id = '6f1c1d52-1f0a-4d5e-9a57-1b2c3d4e5f60';

  it('should name an instance by the host, pid and protocol it wrote about itself', () => {
    const about = JSON.stringify({ protocol: BUS_PROTOCOL, host: 'api-7', pid: 4242, startedAt: '2026-12-04T22:00:00.000Z' });
    expect(describeInstance(id, about)).toBe(`api-7 pid 4242 (bus protocol 2, started 2026-12-04T22:00:00.000Z, instance ${id})`);
  });

  it('should say that an instance without a description is an older build, and not fail on one it cannot read', () => {
    expect(describeInstance(id, null)).toMatch(new RegExp(`^instance ${id}, which does not describe itself \\(a Signoff build before 2026-12-05`));
    expect(describeInstance(id, '{not json')).toBe(describeInstance(id, null));
  });
});

describe('settlesBefore (an announcement waiting for its acknowledgements, at most until the lease ends)', () => {
  const timers = () => process.getActiveResourcesInfo().filter((resource) => resource === 'Timeout').length;

  it('should answer true when the acknowledgements come first, and leave no timer running for the rest of the lease', async () => {
    const before = timers();
    expect(await settlesBefore(Promise.resolve(), performance.now() + 10_000)).toBe(true);
    expect(timers()).toBe(before);
  });

  it('should answer false at the deadline when they do not come, and false at once for a deadline already past', async () => {
    const started = performance.now();
    expect(await settlesBefore(new Promise(() => undefined), started + 50)).toBe(false);
    expect(performance.now() - started).toBeGreaterThanOrEqual(45);
    expect(await settlesBefore(new Promise(() => undefined), performance.now() - 1)).toBe(false);
  });
});
