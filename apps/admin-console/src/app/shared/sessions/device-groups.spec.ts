import { session } from '../../../testing/testing-providers';
import { family, groupByDevice } from './device-groups';

describe('family', () => {
  it.each([
    ['Chrome 156', 'Chrome'],
    ['Mobile Safari 18', 'Mobile Safari'],
    ['Mac OS 10.15.7', 'Mac OS'],
    ['iOS 18.5', 'iOS'],
    ['Linux', 'Linux'],
    ['curl', 'curl'],
    ['', ''],
  ])('should read %s as %s', (name, expected) => expect(family(name)).toBe(expected));
});

describe('groupByDevice', () => {
  it('should put sessions of the same browser and OS family on the same kind of device together, the current device first', () => {
    const sessions = [
      session({ device: { browser: 'Mobile Safari 17', os: 'iOS 17.5', type: 'mobile' } }),
      session({ device: { browser: 'Firefox 140', os: 'Windows 10', type: 'desktop' } }),
      session({ device: { browser: 'Mobile Safari 18', os: 'iOS 18.5', type: 'mobile' } }),
      session({ device: { browser: 'Mobile Safari 18', os: 'iOS 18.5', type: 'tablet' } }),
      session({ device: { browser: 'Firefox 141', os: 'Windows 11', type: 'desktop' }, current: true }),
    ];
    const groups = groupByDevice(sessions);
    expect(groups.map((group) => [group.name, group.typeLabel, group.sessions.length, group.current])).toEqual([
      ['Firefox on Windows', 'Desktop', 2, true],
      ['Mobile Safari on iOS', 'Phone', 2, false],
      ['Mobile Safari on iOS', 'Tablet', 1, false],
    ]);
    expect(groups[1].sessions.map((s) => s.device.browser)).toEqual(['Mobile Safari 17', 'Mobile Safari 18']);
  });
});
