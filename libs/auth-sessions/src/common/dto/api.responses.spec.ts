import UAParser from 'ua-parser-js';
import { parseDeviceInfo } from '../../sessions/device-info.js';
import { DEVICE_TYPES } from './api.responses.js';

const USER_AGENTS = [
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36',
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1',
  'Mozilla/5.0 (iPad; CPU OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1',
  'Mozilla/5.0 (SMART-TV; Linux; Tizen 6.0) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/4.0 Chrome/76.0.3809.146 TV Safari/537.36',
  'Mozilla/5.0 (PlayStation 5 3.11) AppleWebKit/605.1.15 (KHTML, like Gecko)',
  'Mozilla/5.0 (Linux; Android 11; SM-R890) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/96.0 Mobile Safari/537.36 Watch',
  'Mozilla/5.0 (X11; Linux armv7l) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/96.0 Safari/537.36 Tesla/2022.16',
  'curl/8.5.0',
  'MyApp/2.1 (Android 14)',
  '',
];

describe('DEVICE_TYPES', () => {
  it("should list every device type ua-parser-js can name, so the document's enum never lacks one", () => {
    const named = Object.values((UAParser as unknown as { DEVICE: Record<string, string> }).DEVICE).filter(
      (value) => !['model', 'vendor', 'type'].includes(value),
    );

    expect(named.length).toBeGreaterThan(4);
    for (const type of named) expect(DEVICE_TYPES).toContain(type);
  });

  it.each(USER_AGENTS)('should contain the type parseDeviceInfo gives %j', (userAgent) => {
    expect(DEVICE_TYPES).toContain(parseDeviceInfo(userAgent).type);
  });
});
