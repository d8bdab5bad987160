// What berthd remembers about a network, in <data-root>/network/networks/<id>.json, and what a
// container holds of its attachment to one (kept in its own record, since it lives and dies
// with the container).

export type NetworkDriver = 'bridge' | 'host' | 'null';

export interface NetworkRecord {
  id: string;
  name: string;
  created: string;
  driver: NetworkDriver;
  /** The default `bridge` network: Docker gives it no name resolution between containers. */
  isDefaultBridge: boolean;
  internal: boolean;
  attachable: boolean;
  labels: Record<string, string>;
  options: Record<string, string>;
  /** Bridge networks: the Linux bridge, the IPv4 subnet, its gateway and the pool for dynamic addresses. */
  bridge?: string;
  subnet?: string;
  gateway?: string;
  ipRange?: string;
}

/** A container's interface on one network, as the CNI plugins made it. */
export interface EndpointState {
  networkId: string;
  endpointId: string;
  ifName: string;
  /** "10.213.0.2" and its prefix length, as Docker's IPAddress and IPPrefixLen. */
  ipAddress: string;
  prefixLen: number;
  gateway: string;
  macAddress: string;
  aliases: string[];
}

/** A published port as it was bound: Docker's PortBinding with the host port chosen. */
export interface PublishedPort {
  containerPort: number;
  protocol: 'tcp' | 'udp' | 'sctp';
  hostIp: string;
  hostPort: number;
}

/** The network side of a running container. */
export interface ContainerNetworkState {
  /** Its network namespace (a bind-mounted file under the exec root). */
  sandbox: string;
  /** By network name. */
  endpoints: Record<string, EndpointState>;
  ports: PublishedPort[];
}
