import { deviceIcon, deviceName, deviceTypeLabel } from './device-icons';

describe('device icons and labels', () => {
  it('should call a device the server could not read an unknown device, with its own icon, not a desktop', () => {
    const unknown = { browser: '', os: '', type: 'unknown' };
    expect(deviceTypeLabel(unknown.type)).toBe('Unknown device');
    expect(deviceIcon(unknown)).toBe('devices_other');
    expect(deviceName(unknown)).toBe('Unknown browser');
  });

  it('should keep desktops and phones as they were', () => {
    expect(deviceTypeLabel('desktop')).toBe('Desktop');
    expect(deviceIcon({ browser: 'Firefox 140', os: 'Windows 11', type: 'desktop' })).toBe('desktop_windows');
    expect(deviceTypeLabel('mobile')).toBe('Phone');
    expect(deviceIcon({ browser: 'Mobile Safari 18', os: 'iOS 18.5', type: 'mobile' })).toBe('phone_iphone');
  });
});
