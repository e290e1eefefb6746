import ipaddr from 'ipaddr.js';

/** The leading groups of an IPv6 address that name its network: a /64 (RFC 4291, section 2.5.4). */
const IPV6_NETWORK_GROUPS = 4;

/**
 * The client a rate limit counts, from its IP address: an IPv4 address itself (also when it arrives
 * IPv4-mapped, `::ffff:203.0.113.7`), and for IPv6 the address's /64 network. One host on IPv6 can
 * send from any of the 2^64 addresses of its /64 (privacy addresses, or a cloud VM's whole prefix),
 * and counted by address it would get that many allowances. A value that is no IP address (none
 * should reach here) is counted as it is.
 */
export function rateLimitSubject(ip: string): string {
  if (!ipaddr.isValid(ip)) return ip;
  const address = ipaddr.process(ip);
  if (address.kind() === 'ipv4') return address.toString();
  const groups = address.toNormalizedString().split(':').slice(0, IPV6_NETWORK_GROUPS);
  return `${groups.join(':')}::/64`;
}
