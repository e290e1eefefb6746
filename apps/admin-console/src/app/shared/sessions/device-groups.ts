import { deviceTypeLabel } from './device-icons';
import type { Session } from './session';

/** Sessions of one device as people think of it: the same browser and OS family on the same kind of device. */
export interface DeviceGroup {
  key: string;
  /** "Chrome on Linux": families without versions. */
  name: string;
  type: string;
  typeLabel: string;
  /** The group's sessions, in the order given (the API's: newest activity first, or newest end first). */
  sessions: Session[];
  /** Whether one of them is the caller's own session. */
  current: boolean;
}

/** "Chrome 156" → "Chrome", "Mac OS 10.15.7" → "Mac OS": the name without its version numbers. */
export function family(name: string): string {
  const words = name.trim().split(/\s+/);
  while (words.length > 1 && /^\d/.test(words[words.length - 1])) words.pop();
  return words.join(' ');
}

/** Groups sessions by device, keeping the order of first appearance (the current device first). */
export function groupByDevice(sessions: readonly Session[]): DeviceGroup[] {
  const groups = new Map<string, DeviceGroup>();
  for (const session of sessions) {
    const browser = family(session.device.browser) || 'Unknown browser';
    const os = family(session.device.os);
    const type = session.device.type.toLowerCase();
    const key = `${browser.toLowerCase()}|${os.toLowerCase()}|${type}`;
    let group = groups.get(key);
    if (!group) {
      group = { key, name: os ? `${browser} on ${os}` : browser, type, typeLabel: deviceTypeLabel(type), sessions: [], current: false };
      groups.set(key, group);
    }
    group.sessions.push(session);
    group.current ||= session.current;
  }
  return [...groups.values()].sort((a, b) => Number(b.current) - Number(a.current));
}
