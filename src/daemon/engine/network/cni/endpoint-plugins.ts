// The CNI configuration list that plumbs one container into one berth bridge network:
// bridge (veth pair, address from host-local IPAM kept under berth's data root, gateway route;
// outbound NAT is one rule per network, firewall.ts), then portmap for published ports, then bandwidth for a rate limit.
import type { NetworkRecord, PublishedPort } from '../record.js';
import { formatIPv4, parseSubnet, subnetSize } from '../subnets.js';
import type { PluginConfig } from './plugin.js';

export interface EndpointRequest {
  /** A fixed address (`--ip`), else host-local picks one. */
  ipv4Address?: string | undefined;
  /** A fixed MAC address (`--mac-address`). */
  macAddress?: string | undefined;
  ports?: readonly PublishedPort[];
  /** Bits per second each way (`--network-rate`). */
  rateLimit?: number | undefined;
}

function addressRange(net: NetworkRecord): Record<string, string> {
  const range: Record<string, string> = { subnet: net.subnet!, gateway: net.gateway! };
  if (net.ipRange) {
    // Docker's --ip-range is a CIDR inside the subnet; host-local wants first and last address.
    const ipRange = parseSubnet(net.ipRange, 'ip-range');
    const subnet = parseSubnet(net.subnet!);
    const subnetLast = subnet.base + subnetSize(subnet) - 2;
    range.rangeStart = formatIPv4(Math.max(ipRange.base, subnet.base + 1));
    range.rangeEnd = formatIPv4(Math.min(ipRange.base + subnetSize(ipRange) - 1, subnetLast));
  }
  return range;
}

export function endpointPlugins(net: NetworkRecord, ipamDir: string, request: EndpointRequest): PluginConfig[] {
  const prefix = net.subnet!.split('/')[1];
  const bridge: PluginConfig = {
    type: 'bridge',
    bridge: net.bridge!,
    isGateway: true,
    ipMasq: false,
    // A container can reach its own published port through the host.
    hairpinMode: true,
    ipam: {
      type: 'host-local',
      dataDir: ipamDir,
      ranges: [[addressRange(net)]],
      // An internal network has no way out, so no default route.
      routes: net.internal ? [] : [{ dst: '0.0.0.0/0' }],
    },
  };
  const runtimeConfig: Record<string, unknown> = {};
  if (request.ipv4Address) runtimeConfig.ips = [`${request.ipv4Address}/${prefix}`];
  if (request.macAddress) runtimeConfig.mac = request.macAddress;
  if (Object.keys(runtimeConfig).length) bridge.runtimeConfig = runtimeConfig;
  const plugins = [bridge];
  if (request.ports?.length) {
    plugins.push({
      type: 'portmap',
      // Masquerade connections from the host's loopback and hairpins, so that replies come back.
      snat: true,
      runtimeConfig: {
        portMappings: request.ports.map((p) => ({ hostPort: p.hostPort, containerPort: p.containerPort, protocol: p.protocol, hostIP: p.hostIp === '0.0.0.0' ? '' : p.hostIp })),
      },
    });
  }
  if (request.rateLimit) {
    // A burst of a tenth of a second's worth (at least ten full frames) keeps the rate smooth.
    const burst = Math.max(Math.round(request.rateLimit / 10), 10 * 1500 * 8);
    plugins.push({
      type: 'bandwidth',
      runtimeConfig: { bandwidth: { ingressRate: request.rateLimit, ingressBurst: burst, egressRate: request.rateLimit, egressBurst: burst } },
    });
  }
  return plugins;
}
