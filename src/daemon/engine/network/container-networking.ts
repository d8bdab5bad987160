// Plumbing containers into networks. Before a container starts it gets a network namespace of
// its own (bind-mounted under the exec root) with `lo` up, an interface on each network it
// joins (the CNI plugins' veth pair, address and NAT), its published ports and its rate limit;
// when it stops all of it goes again, leases and rules included. Its names go into the DNS
// servers of its user-defined networks.
import { join } from 'node:path';
import type { ContainerCreateRequest, HostConfig } from '../../../api/types/container-config.js';
import { Conflict, FailedPrecondition, InvalidArgument, NotFound } from '../../../errors.js';
import type { EventBus } from '../events.js';
import { endpointPlugins } from './cni/endpoint-plugins.js';
import { addPluginChain, deletePluginChain, type CniAttachment, type CniResult } from './cni/plugin.js';
import { releasePortmapChains } from './firewall.js';
import { createNetworkNamespace, removeNetworkNamespace } from './netns.js';
import type { NetworkService } from './network-service.js';
import { PortAllocator, portRequests } from './ports.js';
import { parseRate } from './rate.js';
import type { ContainerNetworkState, EndpointState, NetworkRecord, PublishedPort } from './record.js';
import { checkHostAddress, parseSubnet } from './subnets.js';

/** How a container asked to join one network (Docker's EndpointSettings, the parts berth uses). */
export interface EndpointConfig {
  aliases: string[];
  ipv4Address?: string;
}

/** What the networking needs to know of a container. */
export interface NetworkedContainer {
  id: string;
  name: string;
  config: { ExposedPorts?: Record<string, unknown> | null; MacAddress?: string; Labels?: Record<string, string> | null };
  hostConfig: HostConfig;
  /** The networks it joins when it starts, by network name. */
  networks?: Record<string, EndpointConfig>;
  /** Set while it runs. */
  network?: ContainerNetworkState | undefined;
}

/** A label that gives the rate limit through clients that only know Docker's API (docker, compose). */
export const networkRateLabel = 'io.berth.network-rate';

/** Docker's NetworkMode with its aliases resolved: "" and "default" are the default bridge. */
export function normalNetworkMode(mode: string | undefined): string {
  return !mode || mode === 'default' ? 'bridge' : mode;
}

/** The names a container answers to on a user-defined network: its name, aliases and short id. */
export function dnsNames(container: { id: string; name: string }, aliases: readonly string[]): string[] {
  return [container.name, ...aliases, container.id.slice(0, 12)];
}

/** The rate limit asked for by `--network-rate` or the label, in bits per second. */
function rateLimitOf(hostConfig: HostConfig, labels: Record<string, string> | null | undefined): number | undefined {
  const text = hostConfig.NetworkRate ?? labels?.[networkRateLabel];
  return text === undefined || text === '' ? undefined : parseRate(String(text));
}

/** Modes that share a namespace made elsewhere, or the host's: no networks of their own. */
function sharesNamespace(mode: string): boolean {
  return mode === 'host' || mode.startsWith('container:');
}

export class ContainerNetworking {
  readonly ports = new PortAllocator();

  constructor(
    private readonly networks: NetworkService,
    private readonly pluginDir: string,
    private readonly namespaceDir: string,
    private readonly events: EventBus,
  ) {}

  /**
   * The networks a new container joins, from its NetworkMode and NetworkingConfig, checked now
   * so that `create` fails rather than `start`.
   */
  plan(request: Pick<ContainerCreateRequest, 'HostConfig' | 'NetworkingConfig' | 'Labels'>): { networkMode: string; networks: Record<string, EndpointConfig> } {
    rateLimitOf(request.HostConfig ?? {}, request.Labels);
    let mode = normalNetworkMode(request.HostConfig?.NetworkMode);
    if (mode === 'none' || sharesNamespace(mode)) {
      if (mode.startsWith('container:') && mode.length === 'container:'.length) throw new InvalidArgument(`invalid network mode: ${mode}`);
      return { networkMode: mode, networks: {} };
    }
    const net = this.networks.get(mode);
    if (net.driver === 'host' || net.driver === 'null') return { networkMode: net.name === 'host' ? 'host' : 'none', networks: {} };
    if (mode === net.id || net.id.startsWith(mode)) mode = net.name;
    const settings = Object.entries(request.NetworkingConfig?.EndpointsConfig ?? {})
      .find(([key]) => normalNetworkMode(key) === net.name || key === net.id || (key.length >= 3 && net.id.startsWith(key)))?.[1];
    return { networkMode: mode, networks: { [net.name]: this.endpointConfig(net, settings?.Aliases ?? [], settings?.IPAMConfig?.IPv4Address) } };
  }

  private endpointConfig(net: NetworkRecord, aliases: string[], ipv4Address: string | undefined): EndpointConfig {
    if (net.isDefaultBridge && aliases.length) throw new InvalidArgument('network-scoped alias is supported only for containers in user defined networks');
    if (ipv4Address) {
      if (net.isDefaultBridge) throw new InvalidArgument('user specified IP address is supported on user defined networks only');
      checkHostAddress(parseSubnet(net.subnet!), ipv4Address, 'IP address');
      if (ipv4Address === net.gateway) throw new InvalidArgument(`IP address ${ipv4Address} is the gateway of network ${net.name}`);
    }
    return { aliases, ...(ipv4Address ? { ipv4Address } : {}) };
  }

  /** Containers still running after a berthd restart: their ports, endpoints and names. */
  restore(containers: readonly NetworkedContainer[]): void {
    for (const c of containers) {
      if (!c.network) continue;
      this.ports.claim(c.network.ports);
      for (const endpoint of Object.values(c.network.endpoints)) this.publishNames(c, endpoint);
    }
  }

  /**
   * Makes the container's network namespace and plumbs it into its networks. Undefined for the
   * modes that use the host's or another container's namespace.
   */
  async attach(container: NetworkedContainer): Promise<ContainerNetworkState | undefined> {
    const mode = normalNetworkMode(container.hostConfig.NetworkMode);
    if (sharesNamespace(mode)) return undefined;
    const sandbox = join(this.namespaceDir, container.id);
    await createNetworkNamespace(sandbox);
    const state: ContainerNetworkState = { sandbox, endpoints: {}, ports: [] };
    try {
      const joins = Object.entries(container.networks ?? (mode === 'none' ? {} : { [mode]: { aliases: [] } }));
      if (joins.length) {
        state.ports = await this.ports.allocate(portRequests(container.hostConfig.PortBindings, container.hostConfig.PublishAllPorts ?? false, container.config.ExposedPorts));
      }
      for (const [i, [name, config]] of joins.entries()) {
        // Published ports and the rate limit go with the first interface, the default route's.
        state.endpoints[name] = await this.plumb(container, this.networks.get(name), config, `eth${i}`, i === 0 ? state.ports : []);
      }
    } catch (err) {
      await this.release(container, state).catch(() => {});
      throw err;
    }
    return state;
  }

  /** Undoes attach; safe to call again and for a container whose namespace is already gone. */
  async detach(container: NetworkedContainer): Promise<void> {
    const state = container.network;
    if (!state) return;
    await this.release(container, state);
    container.network = undefined;
  }

  private async release(container: NetworkedContainer, state: ContainerNetworkState): Promise<void> {
    let failure: unknown;
    for (const [name, endpoint] of Object.entries(state.endpoints).reverse()) {
      await this.unplumb(container, name, endpoint, state.ports).catch((err: unknown) => { failure ??= err; });
    }
    this.ports.release(state.ports);
    if (state.ports.length) await releasePortmapChains().catch(() => {});
    await removeNetworkNamespace(state.sandbox).catch((err: unknown) => { failure ??= err; });
    if (failure) throw failure;
  }

  private async plumb(container: NetworkedContainer, net: NetworkRecord, config: EndpointConfig, ifName: string, ports: readonly PublishedPort[]): Promise<EndpointState> {
    if (net.driver !== 'bridge') throw new InvalidArgument(`container cannot be connected to network ${net.name} (driver ${net.driver})`);
    const attachment = this.attachment(container, ifName);
    const result = await addPluginChain(this.pluginDir, net.name, endpointPlugins(net, this.networks.ipamDir, {
      ipv4Address: config.ipv4Address,
      macAddress: ifName === 'eth0' ? container.config.MacAddress || undefined : undefined,
      ports,
      rateLimit: ifName === 'eth0' ? this.rateLimit(container) : undefined,
    }), attachment);
    const endpoint = endpointState(net, result, ifName, config.aliases, container.id);
    this.publishNames(container, endpoint);
    this.events.publish('network', 'connect', net.id, { container: container.id, name: net.name, type: net.driver });
    return endpoint;
  }

  private async unplumb(container: NetworkedContainer, name: string, endpoint: EndpointState, ports: readonly PublishedPort[]): Promise<void> {
    const net = this.networks.store.find(endpoint.networkId);
    this.networks.namesOf(endpoint.networkId)?.remove(container.id);
    if (!net) return;
    await deletePluginChain(this.pluginDir, name, endpointPlugins(net, this.networks.ipamDir, {
      ports: endpoint.ifName === 'eth0' ? ports : [],
      rateLimit: endpoint.ifName === 'eth0' ? this.rateLimit(container) : undefined,
    }), this.attachment(container, endpoint.ifName));
    this.events.publish('network', 'disconnect', net.id, { container: container.id, name: net.name, type: net.driver });
  }

  private attachment(container: NetworkedContainer, ifName: string): CniAttachment {
    return { containerId: container.id, netns: join(this.namespaceDir, container.id), ifName };
  }

  private rateLimit(container: NetworkedContainer): number | undefined {
    return rateLimitOf(container.hostConfig, container.config.Labels);
  }

  private publishNames(container: NetworkedContainer, endpoint: EndpointState): void {
    const names = this.networks.namesOf(endpoint.networkId);
    const net = this.networks.store.find(endpoint.networkId);
    if (!names || !net || net.isDefaultBridge) return;
    names.set(container.id, dnsNames(container, endpoint.aliases), endpoint.ipAddress);
  }

  /**
   * What /etc/hosts and resolv.conf say about the container's networks: its addresses, and the
   * DNS server of its first network when that is user-defined (it knows the other containers),
   * else the daemon's --dns, else the host's resolvers (or the bridge's forwarder if the host
   * has only loopback ones, which a container cannot reach).
   */
  hostFileSettings(container: NetworkedContainer, daemonDns: readonly string[]): { addresses: string[]; nameservers: string[] | undefined; fallbackNameservers: string[] | undefined } {
    const endpoints = Object.values(container.network?.endpoints ?? {});
    const primary = endpoints[0] && this.networks.store.find(endpoints[0].networkId);
    return {
      addresses: endpoints.map((e) => e.ipAddress),
      nameservers: primary && !primary.isDefaultBridge ? [primary.gateway!] : daemonDns.length ? [...daemonDns] : undefined,
      fallbackNameservers: primary && !primary.internal ? [primary.gateway!] : undefined,
    };
  }

  /** `network connect`: a running container gets the interface now, a stopped one at its start. */
  async connect(container: NetworkedContainer, net: NetworkRecord, aliases: string[], ipv4Address: string | undefined): Promise<void> {
    const mode = normalNetworkMode(container.hostConfig.NetworkMode);
    if (sharesNamespace(mode) || mode === 'none') {
      throw new FailedPrecondition(`container sharing network namespace with another container or host cannot be connected to any other network`);
    }
    if (net.driver !== 'bridge') throw new FailedPrecondition(`container cannot be disconnected from host network or connected to host network`);
    if (container.networks?.[net.name]) throw new Conflict(`endpoint with name ${container.name} already exists in network ${net.name}`);
    const config = this.endpointConfig(net, aliases, ipv4Address);
    if (container.network) {
      const used = new Set(Object.values(container.network.endpoints).map((e) => e.ifName));
      let n = 0;
      while (used.has(`eth${n}`)) n++;
      container.network.endpoints[net.name] = await this.plumb(container, net, config, `eth${n}`, []);
    }
    container.networks = { ...(container.networks ?? {}), [net.name]: config };
  }

  async disconnect(container: NetworkedContainer, net: NetworkRecord): Promise<void> {
    if (!container.networks?.[net.name]) throw new NotFound(`container ${container.name} is not connected to network ${net.name}`);
    const endpoint = container.network?.endpoints[net.name];
    if (endpoint && container.network) {
      await this.unplumb(container, net.name, endpoint, container.network.ports);
      delete container.network.endpoints[net.name];
    }
    const { [net.name]: _gone, ...rest } = container.networks;
    container.networks = rest;
  }
}

function endpointState(net: NetworkRecord, result: CniResult, ifName: string, aliases: string[], containerId: string): EndpointState {
  const index = result.interfaces?.findIndex((i) => i.name === ifName && i.sandbox) ?? -1;
  const ip = result.ips?.find((i) => i.interface === index) ?? result.ips?.[0];
  if (!ip) throw new Conflict(`network ${net.name}: no address was assigned`);
  const [address = '', prefix = '0'] = ip.address.split('/');
  return {
    networkId: net.id,
    endpointId: `${containerId.slice(0, 32)}${net.id.slice(0, 32)}`,
    ifName,
    ipAddress: address,
    prefixLen: Number(prefix),
    gateway: net.internal ? '' : (ip.gateway ?? net.gateway ?? ''),
    macAddress: index >= 0 ? (result.interfaces![index]!.mac ?? '') : '',
    aliases,
  };
}
