// berthd's networks: the predefined `bridge`, `host` and `none`, and user-defined bridge
// networks. A bridge network is a Linux bridge with berth's filter rules and, when it is
// user-defined, a DNS server on its gateway that knows its containers by name, alias and short
// id. Containers are plumbed into networks by ContainerNetworking (container-networking.ts).
import { randomBytes } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Conflict, Forbidden, InvalidArgument, NotFound } from '../../../errors.js';
import type { NetworkCreateRequest } from '../../../api/types/network.js';
import type { EventBus } from '../events.js';
import { deleteBridge, ensureBridge, hostRouteDestinations } from './bridge-link.js';
import { DnsNameTable } from './dns/name-table.js';
import { NetworkDnsServer } from './dns/server.js';
import { installBridgeRules, removeBridgeRules, type FirewalledBridge } from './firewall.js';
import type { NetworkRecord } from './record.js';
import { NetworkStore } from './store.js';
import { carveSubnet, checkHostAddress, firstHost, formatIPv4, formatSubnet, overlaps, parseSubnet, type Subnet } from './subnets.js';

export interface AddressPool {
  /** A CIDR, e.g. 10.214.0.0/16. */
  base: string;
  /** The prefix length of each network carved from it. */
  size: number;
}

export interface NetworkSettings {
  /** The default bridge's device name (Docker's docker0). */
  bridgeName: string;
  /** The default bridge's gateway and subnet, as `--bip` gives them: 10.213.0.1/16. */
  bip: string;
  addressPools: AddressPool[];
  /** Where the DNS servers send names they do not know. */
  upstreams: () => Array<{ address: string; port: number }>;
  /** 53; tests may pick another. */
  dnsPort: number;
}

export const predefinedNetworks = ['bridge', 'host', 'none'];
const networkNameGrammar = /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/;
const bridgeNameOption = 'com.docker.network.bridge.name';

/** A DNS server and the names it answers, for one network. */
interface NetworkDns {
  names: DnsNameTable;
  server: NetworkDnsServer | undefined;
}

export class NetworkService {
  private readonly dns = new Map<string, NetworkDns>();

  private constructor(
    readonly store: NetworkStore,
    readonly ipamDir: string,
    private readonly settings: NetworkSettings,
    private readonly events: EventBus,
  ) {}

  /**
   * Loads the networks and makes sure the host still has what they need (after a reboot the
   * bridges and rules are gone; after a berthd restart they are still there and stay as they are).
   */
  static async open(root: string, settings: NetworkSettings, events: EventBus): Promise<NetworkService> {
    const store = await NetworkStore.open(join(root, 'networks'));
    const service = new NetworkService(store, join(root, 'ipam'), settings, events);
    await service.ensurePredefined();
    for (const net of store.all()) await service.bringUp(net);
    return service;
  }

  /** The DNS names of a network (undefined for the default bridge and non-bridge networks). */
  namesOf(networkId: string): DnsNameTable | undefined {
    return this.dns.get(networkId)?.names;
  }

  private async ensurePredefined(): Promise<void> {
    const subnet = formatSubnet(parseSubnet(this.settings.bip, 'bip', true));
    const gateway = formatIPv4(bipAddress(this.settings.bip));
    const existing = this.store.byName('bridge');
    if (existing && (existing.bridge !== this.settings.bridgeName || existing.subnet !== subnet || existing.gateway !== gateway)) {
      // --bip or the bridge's name changed: the default network follows the configuration.
      await this.tearDown(existing);
      await this.store.remove(existing.id);
    }
    const base = { created: new Date().toISOString(), isDefaultBridge: false, internal: false, attachable: false, labels: {}, options: {} };
    if (!this.store.byName('bridge')) {
      await this.store.add({ ...base, id: newId(), name: 'bridge', driver: 'bridge', isDefaultBridge: true, bridge: this.settings.bridgeName, subnet, gateway });
    }
    if (!this.store.byName('host')) await this.store.add({ ...base, id: newId(), name: 'host', driver: 'host' });
    if (!this.store.byName('none')) await this.store.add({ ...base, id: newId(), name: 'none', driver: 'null' });
  }

  private async bringUp(net: NetworkRecord): Promise<void> {
    if (net.driver !== 'bridge') return;
    await ensureBridge(net.bridge!, `${net.gateway}/${net.subnet!.split('/')[1]}`);
    await installBridgeRules({ bridge: net.bridge!, internal: net.internal, subnet: net.subnet });
    const names = new DnsNameTable();
    // The default bridge's server only forwards (Docker gives it no container names); containers
    // use it when the host has no resolver they could reach themselves.
    const server = await NetworkDnsServer.start({
      address: net.gateway!,
      port: this.settings.dnsPort,
      names,
      upstreams: net.internal ? () => [] : this.settings.upstreams,
    }).catch((err: unknown) => {
      process.stderr.write(`berthd: network ${net.name}: no DNS server on ${net.gateway}:${this.settings.dnsPort}: ${String(err)}\n`);
      return undefined;
    });
    this.dns.set(net.id, { names, server });
  }

  private async tearDown(net: NetworkRecord): Promise<void> {
    const dns = this.dns.get(net.id);
    this.dns.delete(net.id);
    await dns?.server?.close();
    if (net.driver !== 'bridge') return;
    await removeHostBridge({ bridge: net.bridge!, internal: net.internal });
    await rm(join(this.ipamDir, net.name), { recursive: true, force: true });
  }

  get(idOrName: string): NetworkRecord {
    return this.store.get(idOrName);
  }

  list(): NetworkRecord[] {
    return this.store.all();
  }

  async create(request: NetworkCreateRequest): Promise<NetworkRecord> {
    const name = request.Name || '';
    if (!name) throw new InvalidArgument('network name is required: give Name');
    if (!networkNameGrammar.test(name)) throw new InvalidArgument(`invalid network name "${name}": only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed`);
    if (predefinedNetworks.includes(name)) throw new Forbidden(`${name} is a pre-defined network and cannot be created`);
    const driver = request.Driver || 'bridge';
    if (driver !== 'bridge') throw new NotFound(`plugin "${driver}" not found: berth supports the bridge driver for user-defined networks`);
    if (request.EnableIPv6) throw new InvalidArgument('IPv6 networks are not supported by berth yet');
    const ipamDriver = request.IPAM?.Driver || 'default';
    if (ipamDriver !== 'default') throw new NotFound(`IPAM driver "${ipamDriver}" not found: berth has the default driver only`);
    const configs = request.IPAM?.Config ?? [];
    if (configs.length > 1) throw new InvalidArgument('berth networks have one IPv4 subnet: give at most one IPAM config');
    const config = configs[0] ?? {};
    const taken = await this.takenSubnets();
    let subnet: Subnet;
    if (config.Subnet) {
      subnet = parseSubnet(config.Subnet);
      if (subnet.prefix > 30) throw new InvalidArgument(`subnet ${config.Subnet} is too small for a network: use a prefix of /30 or shorter`);
      if (taken.some((t) => overlaps(t, subnet))) throw new Conflict(`Pool overlaps with other one on this address space: ${config.Subnet} overlaps a network or route the host already has`);
    } else {
      if (config.Gateway || config.IPRange) throw new InvalidArgument('a gateway or ip-range needs a subnet: give --subnet too');
      const carved = this.carve(taken);
      if (!carved) throw new Conflict('could not find an available, non-overlapping IPv4 address pool among the defaults to assign to the network');
      subnet = carved;
    }
    const gateway = config.Gateway ? checkHostAddress(subnet, config.Gateway, 'gateway') : firstHost(subnet);
    if (config.IPRange) {
      const range = parseSubnet(config.IPRange, 'ip-range');
      if (range.prefix < subnet.prefix || !overlaps(range, subnet)) throw new InvalidArgument(`ip-range ${config.IPRange} is not inside subnet ${formatSubnet(subnet)}`);
    }
    const id = newId();
    const options = request.Options ?? {};
    const bridge = options[bridgeNameOption] || `brt-${id.slice(0, 11)}`;
    if (bridge.length > 15 || !/^[a-zA-Z0-9_.-]+$/.test(bridge)) throw new InvalidArgument(`invalid bridge name "${bridge}": at most 15 letters, digits, '.', '_' or '-'`);
    if (this.store.all().some((n) => n.bridge === bridge)) throw new Conflict(`bridge ${bridge} is already used by another network`);
    const record: NetworkRecord = {
      id,
      name,
      created: new Date().toISOString(),
      driver: 'bridge',
      isDefaultBridge: false,
      internal: request.Internal ?? false,
      attachable: request.Attachable ?? false,
      labels: request.Labels ?? {},
      options,
      bridge,
      subnet: formatSubnet(subnet),
      gateway: formatIPv4(gateway),
      ...(config.IPRange ? { ipRange: config.IPRange } : {}),
    };
    await this.store.add(record);
    try {
      await this.bringUp(record);
    } catch (err) {
      await this.tearDown(record).catch(() => {});
      await this.store.remove(id);
      throw err;
    }
    this.events.publish('network', 'create', id, { name, type: 'bridge' });
    return record;
  }

  /** Removes a network that no running container uses (the caller checks, holding the containers). */
  async remove(net: NetworkRecord): Promise<void> {
    if (predefinedNetworks.includes(net.name)) throw new Forbidden(`${net.name} is a pre-defined network and cannot be removed`);
    await this.tearDown(net);
    await this.store.remove(net.id);
    this.events.publish('network', 'destroy', net.id, { name: net.name, type: net.driver });
  }

  /** Subnets a new network must not overlap: other networks' and the host's routes. */
  private async takenSubnets(): Promise<Subnet[]> {
    const ours = this.store.all().filter((n) => n.subnet).map((n) => parseSubnet(n.subnet!));
    const bridges = new Set(this.store.all().map((n) => n.subnet));
    const routes = (await hostRouteDestinations()).filter((r) => !bridges.has(r)).flatMap((r) => {
      try {
        return [parseSubnet(r, 'route', true)];
      } catch {
        return [];
      }
    });
    return [...ours, ...routes];
  }

  private carve(taken: Subnet[]): Subnet | undefined {
    for (const pool of this.settings.addressPools) {
      const subnet = carveSubnet(parseSubnet(pool.base, 'address pool'), pool.size, taken);
      if (subnet) return subnet;
    }
    return undefined;
  }

  /** Stops the DNS servers (berthd's shutdown); bridges and rules stay for running containers. */
  async close(): Promise<void> {
    await Promise.all([...this.dns.values()].map((d) => d.server?.close()));
    this.dns.clear();
  }
}

/** A bridge network's part of the host: its rules and its bridge (also for tests and benches). */
export async function removeHostBridge(net: FirewalledBridge): Promise<void> {
  await removeBridgeRules(net);
  await deleteBridge(net.bridge);
}

function newId(): string {
  return randomBytes(32).toString('hex');
}

/** The address part of `--bip` (10.213.0.1/16 → its numeric 10.213.0.1). */
function bipAddress(bip: string): number {
  return checkHostAddress(parseSubnet(bip, 'bip', true), bip.split('/')[0]!, 'bip');
}
