// Where a network's DNS server sends the names it does not know: the host's own resolvers.
import { isIP } from 'node:net';

export interface DnsUpstream {
  address: string;
  port: number;
}

/**
 * The `nameserver` lines of a resolv.conf, in order and without repeats. Loopback servers are
 * kept (127.0.0.53 is reachable from berthd on the host, though not from a container).
 */
export function hostResolvers(resolvConfText: string): DnsUpstream[] {
  const upstreams: DnsUpstream[] = [];
  const seen = new Set<string>();
  for (const line of resolvConfText.split('\n')) {
    const [keyword, address] = line.replace(/[#;].*/, '').trim().split(/\s+/);
    if (keyword !== 'nameserver' || address === undefined || isIP(address) === 0) continue;
    if (seen.has(address)) continue;
    seen.add(address);
    upstreams.push({ address, port: 53 });
  }
  return upstreams;
}
