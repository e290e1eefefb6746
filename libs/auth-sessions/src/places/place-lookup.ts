import { BlockList, isIP } from 'node:net';

/**
 * Turns a client IP into a coarse place ("Lyon, Auvergne-Rhône-Alpes, France") for the device lists.
 * Called once per sign-in, never per request. Return null when the address is unknown. The library
 * answers private and loopback addresses itself ("Local network") without asking the lookup.
 * @see MmdbPlaceLookup for an offline database reader
 */
export interface PlaceLookup {
  lookup(ip: string): string | null | Promise<string | null>;
}

/** What private, loopback and link-local addresses are called. */
export const LOCAL_NETWORK_PLACE = 'Local network';

const local = new BlockList();
for (const [network, prefix] of [
  ['10.0.0.0', 8],
  ['172.16.0.0', 12],
  ['192.168.0.0', 16],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['0.0.0.0', 8],
] as const) {
  local.addSubnet(network, prefix, 'ipv4');
}
for (const [network, prefix] of [
  ['::1', 128],
  ['::', 128],
  ['fc00::', 7],
  ['fe80::', 10],
] as const) {
  local.addSubnet(network, prefix, 'ipv6');
}

/** Whether `ip` is a private, loopback or link-local address (IPv4-mapped IPv6 included). */
export function isLocalNetworkAddress(ip: string): boolean {
  const address = ip.toLowerCase().startsWith('::ffff:') && isIP(ip.slice(7)) === 4 ? ip.slice(7) : ip;
  const family = isIP(address);
  if (family === 0) return false;
  return local.check(address, family === 4 ? 'ipv4' : 'ipv6');
}
