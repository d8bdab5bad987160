// berth network create [--driver] [--subnet --ip-range --gateway --aux-address ...] [--label]
// [--opt] [--internal] [--attachable] [--ipv4] [--ipv6] NETWORK: prints the new network's id.
import type { NetworkCreateRequest, NetworkCreateResponse } from '../../../../api/types/network.js';
import { compareApiVersions } from '../../../../api/version.js';
import { ExitStatus, type CommandDefinition } from '../../command.js';
import { bool, list, str, type FlagSpecs, type ParsedFlags } from '../../options.js';
import { createIpamConfig, IpamError } from './ipam.js';
import { mapOpt, mapOptEntries, parseLabels, stringSlice } from './options.js';

export const createFlags: FlagSpecs = {
  attachable: { type: 'boolean', description: 'Enable manual container attachment' },
  'aux-address': { type: 'list', valueName: 'map', description: 'Auxiliary IPv4 or IPv6 addresses used by Network driver (default map[])' },
  'config-from': { type: 'string', description: 'The network from which to copy the configuration' },
  'config-only': { type: 'boolean', description: 'Create a configuration only network' },
  driver: { type: 'string', short: 'd', default: 'bridge', description: 'Driver to manage the Network (default "bridge")' },
  gateway: { type: 'list', valueName: 'strings', description: 'IPv4 or IPv6 Gateway for the master subnet' },
  ingress: { type: 'boolean', description: 'Create swarm routing-mesh network' },
  internal: { type: 'boolean', description: 'Restrict external access to the network' },
  'ip-range': { type: 'list', valueName: 'strings', description: 'Allocate container ip from a sub-range' },
  'ipam-driver': { type: 'string', default: 'default', description: 'IP Address Management Driver (default "default")' },
  'ipam-opt': { type: 'list', valueName: 'map', description: 'Set IPAM driver specific options (default map[])' },
  ipv4: { type: 'boolean', default: true, description: 'Enable or disable IPv4 address assignment (default true)' },
  ipv6: { type: 'boolean', description: 'Enable or disable IPv6 address assignment' },
  label: { type: 'list', description: 'Set metadata on a network' },
  opt: { type: 'list', short: 'o', valueName: 'map', description: 'Set driver specific options (default map[])' },
  scope: { type: 'string', description: "Control the network's scope" },
  subnet: { type: 'list', valueName: 'strings', description: 'Subnet in CIDR format that represents a network segment' },
};

/**
 * The body of POST /networks/create for these flags, in the field order docker's client sends.
 * With `apiVersion` (the negotiated one) older than 1.44, it asks the daemon to check for a
 * duplicate name, as docker does. Pairing errors are IpamError; bad flag values UsageError.
 */
export function buildCreateRequest(name: string, { values, given }: Pick<ParsedFlags, 'values' | 'given'>, apiVersion?: string): NetworkCreateRequest {
  const labels = parseLabels(list(values, 'label'));
  const ipam = createIpamConfig({
    driver: str(values, 'ipam-driver') ?? 'default',
    subnets: stringSlice(list(values, 'subnet'), '--subnet'),
    ipRanges: stringSlice(list(values, 'ip-range'), '--ip-range'),
    gateways: stringSlice(list(values, 'gateway'), '--gateway'),
    auxAddresses: mapOptEntries(list(values, 'aux-address')),
    driverOpts: mapOpt(list(values, 'ipam-opt')),
  });
  const configFrom = str(values, 'config-from');
  return {
    Driver: str(values, 'driver') ?? 'bridge',
    Scope: str(values, 'scope') ?? '',
    // Sent only when given: an absent field leaves the choice to the daemon.
    ...(given.has('ipv4') ? { EnableIPv4: bool(values, 'ipv4') } : {}),
    ...(given.has('ipv6') ? { EnableIPv6: bool(values, 'ipv6') } : {}),
    IPAM: ipam,
    Internal: bool(values, 'internal'),
    Attachable: bool(values, 'attachable'),
    Ingress: bool(values, 'ingress'),
    ConfigOnly: bool(values, 'config-only'),
    ConfigFrom: configFrom ? { Network: configFrom } : null,
    Options: mapOpt(list(values, 'opt')),
    Labels: labels,
    Name: name,
    ...(apiVersion !== undefined && compareApiVersions(apiVersion, '1.44') < 0 ? { CheckDuplicate: true } : {}),
  };
}

export const networkCreate: CommandDefinition = {
  name: 'create',
  usage: 'network create [OPTIONS] NETWORK',
  description: 'Create a network',
  args: { min: 1, max: 1 },
  flags: createFlags,
  async run(ctx, parsed) {
    const name = parsed.positionals[0]!;
    let body: NetworkCreateRequest;
    try {
      body = buildCreateRequest(name, parsed); // the flags are checked before berth connects
    } catch (err) {
      // docker reports these as plain errors: the message alone, exit status 1.
      if (err instanceof IpamError) throw new ExitStatus(1, err.message);
      throw err;
    }
    const client = await ctx.client();
    if (compareApiVersions(await client.version(), '1.44') < 0) body.CheckDuplicate = true;
    const answer = await client.json<NetworkCreateResponse>('POST', '/networks/create', { body });
    ctx.stdout.write(`${answer?.Id ?? ''}\n`);
  },
};
