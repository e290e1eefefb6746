import { parseDeviceInfo } from './device-info.js';

const CHROME_ON_WINDOWS = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';
const SAFARI_ON_IPHONE =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1';
const SAFARI_ON_IPAD = 'Mozilla/5.0 (iPad; CPU OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1';
const FIREFOX_ON_LINUX = 'Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0';

describe('parseDeviceInfo', () => {
  describe('when the client is Chrome on Windows', () => {
    it('should report the browser major version, the OS and a desktop', () => {
      expect(parseDeviceInfo(CHROME_ON_WINDOWS)).toEqual({ browser: 'Chrome 131', os: 'Windows 10', type: 'desktop' });
    });
  });

  describe('when the client is Safari on an iPhone', () => {
    it('should report a mobile device running iOS', () => {
      expect(parseDeviceInfo(SAFARI_ON_IPHONE)).toEqual({ browser: 'Mobile Safari 17', os: 'iOS 17.5', type: 'mobile' });
    });
  });

  describe('when the client is an iPad', () => {
    it('should report a tablet', () => {
      expect(parseDeviceInfo(SAFARI_ON_IPAD)).toMatchObject({ os: 'iOS 17.5', type: 'tablet' });
    });
  });

  describe('when the client is Firefox on Linux', () => {
    it('should report Firefox on Linux, desktop', () => {
      expect(parseDeviceInfo(FIREFOX_ON_LINUX)).toEqual({ browser: 'Firefox 133', os: 'Linux', type: 'desktop' });
    });
  });

  describe('when the client is a native Android app', () => {
    it('should report a mobile device from the OS, named after the app', () => {
      expect(parseDeviceInfo('MyApp/2.1 (Android 14)')).toEqual({ browser: 'MyApp', os: 'Android 14', type: 'mobile' });
    });
  });

  describe('when the client is curl', () => {
    it("should name it 'curl' and call it a cli", () => {
      expect(parseDeviceInfo('curl/8.0')).toEqual({ browser: 'curl', os: '', type: 'cli' });
    });
  });

  describe('when the user agent names nothing it knows', () => {
    it.each(['', 'node', 'Mozilla/5.0'])('should leave browser and OS empty and call %j unknown, not a desktop', (userAgent) => {
      expect(parseDeviceInfo(userAgent)).toEqual({ browser: '', os: '', type: 'unknown' });
    });

    it('should still call a known desktop OS without a browser a desktop', () => {
      expect(parseDeviceInfo('Mozilla/5.0 (X11; Linux x86_64)')).toEqual({ browser: '', os: 'Linux', type: 'desktop' });
    });
  });

  describe('when the user agent is hostile and long', () => {
    it('should keep every part within its column width', () => {
      const info = parseDeviceInfo(`${'A'.repeat(200)}/1.0 ${'x'.repeat(5000)}`);

      expect(info.browser.length).toBeLessThanOrEqual(64);
      expect(info.os.length).toBeLessThanOrEqual(64);
      expect(info.type.length).toBeLessThanOrEqual(16);
    });
  });
});
