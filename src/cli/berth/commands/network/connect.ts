// berth network connect [--alias] [--ip] [--ip6] [--link] [--link-local-ip] [--driver-opt]
// [--gw-priority] NETWORK CONTAINER, and berth network disconnect [-f] NETWORK CONTAINER.
// Nothing is printed on success.
import type { NetworkConnectRequest, NetworkDisconnectRequest } from '../../../../api/types/network.js';
import type { EndpointIPAMConfig } from '../../../../api/types/container-config.js';
import { ExitStatus, type CommandDefinition } from '../../command.js';
import { bool, int, list, str, type FlagValues } from '../../options.js';
import { driverOpts, stringSlice, validateLinks } from './options.js';

export const connectFlags = {
  alias: { type: 'list' as const, valueName: 'strings', description: 'Add network-scoped alias for the container' },
  'driver-opt': { type: 'list' as const, valueName: 'strings', description: 'driver options for the network' },
  'gw-priority': { type: 'string' as const, valueName: 'int', description: 'Highest gw-priority provides the default gateway. Accepts positive and negative values.' },
  ip: { type: 'string' as const, description: 'IPv4 address (e.g., "172.30.100.104")' },
  ip6: { type: 'string' as const, description: 'IPv6 address (e.g., "2001:db8::33")' },
  link: { type: 'list' as const, description: 'Add link to another container' },
  'link-local-ip': { type: 'list' as const, valueName: 'strings', description: 'Add a link-local address for the container' },
};

/**
 * The body of POST /networks/{id}/connect, as docker's client sends it (the endpoint's
 * settings it does not set left out). A bad --driver-opt is a string: docker's plain error.
 */
export function buildConnectRequest(container: string, values: FlagValues): NetworkConnectRequest | string {
  const links = validateLinks(list(values, 'link'));
  const aliases = stringSlice(list(values, 'alias'), '--alias');
  const linkLocalIps = stringSlice(list(values, 'link-local-ip'), '--link-local-ip');
  const gwPriority = int(values, 'gw-priority') ?? 0;
  const opts = driverOpts(stringSlice(list(values, 'driver-opt'), '--driver-opt'));
  if (typeof opts === 'string') return opts;
  const ipam: EndpointIPAMConfig = {};
  const ip = str(values, 'ip');
  const ip6 = str(values, 'ip6');
  if (ip) ipam.IPv4Address = ip;
  if (ip6) ipam.IPv6Address = ip6;
  if (linkLocalIps.length) ipam.LinkLocalIPs = linkLocalIps;
  return {
    Container: container,
    EndpointConfig: {
      IPAMConfig: ipam,
      Links: links.length ? links : null,
      Aliases: aliases,
      DriverOpts: opts,
      GwPriority: gwPriority,
    },
  };
}

export const networkConnect: CommandDefinition = {
  name: 'connect',
  usage: 'network connect [OPTIONS] NETWORK CONTAINER',
  description: 'Connect a container to a network',
  args: { min: 2, max: 2 },
  flags: connectFlags,
  async run(ctx, { values, positionals }) {
    const [network, container] = positionals as [string, string];
    const body = buildConnectRequest(container, values);
    if (typeof body === 'string') throw new ExitStatus(1, body);
    const client = await ctx.client();
    await client.json('POST', `/networks/${encodeURIComponent(network)}/connect`, { body });
  },
};

export const networkDisconnect: CommandDefinition = {
  name: 'disconnect',
  usage: 'network disconnect [OPTIONS] NETWORK CONTAINER',
  description: 'Disconnect a container from a network',
  args: { min: 2, max: 2 },
  flags: {
    force: { type: 'boolean', short: 'f', description: 'Force the container to disconnect from a network' },
  },
  async run(ctx, { values, positionals }) {
    const [network, container] = positionals as [string, string];
    const body: NetworkDisconnectRequest = { Container: container, Force: bool(values, 'force') };
    const client = await ctx.client();
    await client.json('POST', `/networks/${encodeURIComponent(network)}/disconnect`, { body });
  },
};
