import type { Session } from './session';

/** A Material Symbols ligature for the device's kind and operating system. */
export function deviceIcon(device: Session['device']): string {
  const type = device.type.toLowerCase();
  const os = device.os.toLowerCase();
  switch (type) {
    case 'mobile':
      return os.startsWith('ios') ? 'phone_iphone' : 'smartphone';
    case 'tablet':
      return 'tablet';
    case 'smarttv':
      return 'tv';
    case 'wearable':
      return 'watch';
    case 'console':
      return 'sports_esports';
    case 'cli':
    case 'bot':
      return 'terminal';
    case 'unknown':
      return 'devices_other';
    default:
      if (os.startsWith('mac')) return 'laptop_mac';
      if (os.startsWith('windows')) return 'desktop_windows';
      if (os.includes('chrom')) return 'laptop_chromebook';
      return 'computer';
  }
}

/** A Material Symbols ligature for the browser (there are no brand icons, so families get generic symbols). */
export function browserIcon(device: Session['device']): string {
  const type = device.type.toLowerCase();
  if (type === 'cli' || type === 'bot') return 'code';
  return device.browser ? 'language' : 'help';
}

export function deviceTypeLabel(type: string): string {
  const labels: Record<string, string> = {
    desktop: 'Desktop',
    mobile: 'Phone',
    tablet: 'Tablet',
    smarttv: 'TV',
    wearable: 'Wearable',
    console: 'Game console',
    embedded: 'Embedded device',
    cli: 'API client',
    bot: 'Bot',
    unknown: 'Unknown device',
  };
  return labels[type.toLowerCase()] ?? (type || 'Unknown device');
}

/** "Chrome 156 on Linux" from possibly empty parts. */
export function deviceName(device: Session['device']): string {
  const browser = device.browser || 'Unknown browser';
  return device.os ? `${browser} on ${device.os}` : browser;
}
