import UAParser from 'ua-parser-js';

/** What the device list shows about a client, parsed from its user agent. */
export interface DeviceInfo {
  browser: string;
  os: string;
  /**
   * `desktop`, `mobile`, `tablet`, `smarttv`, `wearable`, `console`, `embedded`, `cli`, or `unknown` when
   * the user agent names no browser, OS or client (empty, or a bare `node`).
   */
  type: string;
}

const MAX_PART = 64;
// Native apps rarely name a device model, but their OS says what they run on.
const MOBILE_OS = new Set(['Android', 'iOS']);

/** Parses a user agent with ua-parser-js (v1, MIT). Unknown parts are empty strings. */
export function parseDeviceInfo(userAgent: string): DeviceInfo {
  const result = new UAParser(userAgent).getResult();
  const browser = [result.browser.name, majorVersion(result.browser.version)].filter(Boolean).join(' ');
  const os = [result.os.name, result.os.version].filter(Boolean).join(' ');
  const client = cliName(userAgent);
  return {
    browser: (browser || client).slice(0, MAX_PART),
    os: os.slice(0, MAX_PART),
    type: (result.device.type ?? (MOBILE_OS.has(result.os.name ?? '') ? 'mobile' : client ? 'cli' : browser || os ? 'desktop' : 'unknown')).slice(0, 16),
  };
}

function majorVersion(version: string | undefined): string | undefined {
  return version?.split('.')[0];
}

// API clients (curl, SDKs) are common for bearer sessions; name them instead of showing nothing.
function cliName(userAgent: string): string {
  const match = /^([A-Za-z][\w.-]{0,30})\/[\w.]+/.exec(userAgent);
  return match && !userAgent.startsWith('Mozilla/') ? match[1] : '';
}
