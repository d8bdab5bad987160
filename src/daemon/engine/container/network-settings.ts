// A container's networks in Docker's shapes: inspect's NetworkSettings and the list's Ports.
// Docker fills the top-level address fields from the default bridge's endpoint only.
import type { PortMap } from '../../../api/types/container-config.js';
import { dnsNames } from '../network/container-networking.js';
import type { ContainerContext } from './context.js';
import type { ContainerRecord } from './record.js';

export function networkSettings(ctx: ContainerContext, record: ContainerRecord) {
  const running = record.network;
  const networks: Record<string, unknown> = {};
  for (const [name, config] of Object.entries(record.networks ?? {})) {
    const endpoint = running?.endpoints[name];
    const net = ctx.networks.store.byName(name);
    networks[name] = {
      IPAMConfig: config.ipv4Address ? { IPv4Address: config.ipv4Address } : null,
      Links: null,
      Aliases: config.aliases.length ? config.aliases : null,
      MacAddress: endpoint?.macAddress ?? '',
      DriverOpts: null,
      NetworkID: net?.id ?? '',
      EndpointID: endpoint?.endpointId ?? '',
      Gateway: endpoint?.gateway ?? '',
      IPAddress: endpoint?.ipAddress ?? '',
      IPPrefixLen: endpoint?.prefixLen ?? 0,
      IPv6Gateway: '',
      GlobalIPv6Address: '',
      GlobalIPv6PrefixLen: 0,
      DNSNames: endpoint && net && !net.isDefaultBridge ? dnsNames(record, endpoint.aliases) : null,
    };
  }
  const bridge = running?.endpoints.bridge;
  return {
    Bridge: '',
    SandboxID: running ? record.id : '',
    SandboxKey: running?.sandbox ?? '',
    Ports: running ? portMap(record) : {},
    HairpinMode: false,
    LinkLocalIPv6Address: '',
    LinkLocalIPv6PrefixLen: 0,
    SecondaryIPAddresses: null,
    SecondaryIPv6Addresses: null,
    EndpointID: bridge?.endpointId ?? '',
    Gateway: bridge?.gateway ?? '',
    GlobalIPv6Address: '',
    GlobalIPv6PrefixLen: 0,
    IPAddress: bridge?.ipAddress ?? '',
    IPPrefixLen: bridge?.prefixLen ?? 0,
    IPv6Gateway: '',
    MacAddress: bridge?.macAddress ?? '',
    Networks: networks,
  };
}

/** Every exposed or published port, with its host bindings (null when not published). */
function portMap(record: ContainerRecord): PortMap {
  const ports: PortMap = {};
  for (const key of Object.keys(record.config.ExposedPorts ?? {})) ports[key.includes('/') ? key : `${key}/tcp`] = null;
  for (const p of record.network?.ports ?? []) {
    const key = `${p.containerPort}/${p.protocol}`;
    ports[key] = [...(ports[key] ?? []), { HostIp: p.hostIp, HostPort: String(p.hostPort) }];
  }
  return ports;
}

/** The list's Ports: one entry per binding, and exposed ports without a public one. */
export function summaryPorts(record: ContainerRecord) {
  if (!record.network) return [];
  return Object.entries(portMap(record)).flatMap(([key, bindings]) => {
    const [port, type] = key.split('/');
    const base = { PrivatePort: Number(port), Type: type };
    return bindings?.length ? bindings.map((b) => ({ IP: b.HostIp, ...base, PublicPort: Number(b.HostPort) })) : [base];
  });
}

/** The list's NetworkSettings.Networks: the addresses per network. */
export function summaryNetworks(ctx: ContainerContext, record: ContainerRecord) {
  return { Networks: networkSettings(ctx, record).Networks };
}
