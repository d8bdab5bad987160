// The network endpoints' engine: networks seen together with the containers on them. It holds
// no state of its own: the networks are NetworkService's, the attachments the containers'.
import type { NetworkConnectRequest, NetworkCreateRequest, NetworkDisconnectRequest, NetworkResource, NetworksPruneReport } from '../../../api/types/network.js';
import { Conflict, InvalidArgument } from '../../../errors.js';
import type { NetworkBackend } from '../../router/networks/backend.js';
import type { ContainerNetworking, NetworkedContainer } from './container-networking.js';
import { predefinedNetworks, type NetworkService } from './network-service.js';
import type { NetworkRecord } from './record.js';

/** What networks need of the containers: find them, and change one under its lock. */
export interface ContainerDirectory {
  all(): NetworkedContainer[];
  get(nameOrId: string): NetworkedContainer;
  /** Runs `change` holding the container's lock, then saves it. */
  update(nameOrId: string, change: (container: NetworkedContainer) => Promise<void>): Promise<void>;
}

const knownFilters = ['name', 'id', 'driver', 'label', 'type', 'scope', 'dangling'];

export class NetworkEngine implements NetworkBackend {
  constructor(
    private readonly networks: NetworkService,
    private readonly networking: ContainerNetworking,
    private readonly containers: ContainerDirectory,
  ) {}

  async create(request: NetworkCreateRequest): Promise<{ Id: string; Warning: string }> {
    const record = await this.networks.create(request);
    return { Id: record.id, Warning: '' };
  }

  inspect(idOrName: string): NetworkResource {
    return this.resource(this.networks.get(idOrName), true);
  }

  list(filters: Map<string, string[]>): NetworkResource[] {
    for (const key of filters.keys()) if (!knownFilters.includes(key)) throw new InvalidArgument(`invalid filter '${key}'`);
    return this.networks.list()
      .filter((n) => this.matches(n, filters))
      .sort((a, b) => a.name.localeCompare(b.name))
      .map((n) => this.resource(n, false));
  }

  async remove(idOrName: string): Promise<void> {
    const net = this.networks.get(idOrName);
    if (this.attached(net).length) {
      throw new Conflict(`error while removing network: network ${net.name} id ${net.id} has active endpoints`);
    }
    await this.networks.remove(net);
  }

  async prune(filters: Map<string, string[]>): Promise<NetworksPruneReport> {
    for (const key of filters.keys()) if (!['label', 'until'].includes(key)) throw new InvalidArgument(`invalid filter '${key}'`);
    const until = filters.get('until')?.[0];
    const deleted: string[] = [];
    for (const net of this.networks.list()) {
      if (predefinedNetworks.includes(net.name) || this.attached(net).length) continue;
      if (until && Date.parse(net.created) >= untilTime(until)) continue;
      if (!this.matches(net, new Map([['label', filters.get('label') ?? []]]))) continue;
      await this.networks.remove(net);
      deleted.push(net.name);
    }
    return { NetworksDeleted: deleted.length ? deleted : null };
  }

  async connect(idOrName: string, request: NetworkConnectRequest): Promise<void> {
    const net = this.networks.get(idOrName);
    if (!request.Container) throw new InvalidArgument('Container is required');
    await this.containers.update(request.Container, (c) => this.networking.connect(
      c,
      net,
      request.EndpointConfig?.Aliases ?? [],
      request.EndpointConfig?.IPAMConfig?.IPv4Address || undefined,
    ));
  }

  async disconnect(idOrName: string, request: NetworkDisconnectRequest): Promise<void> {
    const net = this.networks.get(idOrName);
    if (!request.Container) throw new InvalidArgument('Container is required');
    await this.containers.update(request.Container, (c) => this.networking.disconnect(c, net));
  }

  /** Running containers with an interface on the network. */
  private attached(net: NetworkRecord): NetworkedContainer[] {
    return this.containers.all().filter((c) => Object.values(c.network?.endpoints ?? {}).some((e) => e.networkId === net.id));
  }

  private matches(net: NetworkRecord, filters: Map<string, string[]>): boolean {
    const any = (key: string, test: (v: string) => boolean) => {
      const values = filters.get(key);
      return !values?.length || values.some(test);
    };
    return any('name', (v) => net.name.includes(v))
      && any('id', (v) => net.id.startsWith(v))
      && any('driver', (v) => net.driver === v)
      && any('scope', (v) => v === 'local')
      && any('type', (v) => (v === 'builtin') === predefinedNetworks.includes(net.name))
      && any('dangling', (v) => (v === 'true' || v === '1') === (!predefinedNetworks.includes(net.name) && this.attached(net).length === 0))
      && (filters.get('label') ?? []).every((v) => {
        const [k, val] = v.split('=', 2) as [string, string | undefined];
        return val === undefined ? k in net.labels : net.labels[k] === val;
      });
  }

  /** Docker's NetworkResource; `Containers` only for inspect, as dockerd lists them. */
  private resource(net: NetworkRecord, withContainers: boolean): NetworkResource {
    const containers: NetworkResource['Containers'] = {};
    if (withContainers) {
      for (const c of this.attached(net)) {
        const endpoint = Object.values(c.network!.endpoints).find((e) => e.networkId === net.id)!;
        containers[c.id] = {
          Name: c.name,
          EndpointID: endpoint.endpointId,
          MacAddress: endpoint.macAddress,
          IPv4Address: `${endpoint.ipAddress}/${endpoint.prefixLen}`,
          IPv6Address: '',
        };
      }
    }
    return {
      Name: net.name,
      Id: net.id,
      Created: net.created,
      Scope: 'local',
      Driver: net.driver,
      EnableIPv6: false,
      IPAM: {
        Driver: 'default',
        Options: null,
        Config: net.subnet ? [{ Subnet: net.subnet, ...(net.ipRange ? { IPRange: net.ipRange } : {}), Gateway: net.gateway! }] : [],
      },
      Internal: net.internal,
      Attachable: net.attachable,
      Ingress: false,
      ConfigFrom: { Network: '' },
      ConfigOnly: false,
      Containers: containers,
      Options: net.isDefaultBridge ? { 'com.docker.network.bridge.name': net.bridge!, 'com.docker.network.bridge.default_bridge': 'true' } : net.options,
      Labels: net.labels,
    };
  }
}

/** Docker's `until` filter: a Unix time or an RFC 3339 time. */
function untilTime(text: string): number {
  const seconds = Number(text);
  const time = Number.isFinite(seconds) ? seconds * 1000 : Date.parse(text);
  if (Number.isNaN(time)) throw new InvalidArgument(`invalid filter 'until=${text}'`);
  return time;
}
