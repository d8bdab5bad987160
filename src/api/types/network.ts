// Docker Engine API network types (API v1.43), as they travel on the wire: PascalCase field
// names, the JSON names moby uses (`Id`, `AuxiliaryAddresses`), and maps or lists that a Go
// daemon may send as `null`. Shapes follow moby's api/types (NetworkResource, NetworkCreate-
// Request, NetworkConnect, NetworkDisconnect, NetworksPruneReport) and api/types/network
// (IPAM, IPAMConfig, ConfigReference, EndpointResource); the daemon and the CLI both use these.
//
// Field order matters to clients that print the daemon's JSON as it came (`docker network
// inspect` re-indents the raw answer), so the interfaces list the fields in the order dockerd
// sends them; a daemon should build its objects in that order.
import type { EndpointSettings } from './container-config.js';

/** One address pool of a network (`--subnet`, `--ip-range`, `--gateway`, `--aux-address`). */
export interface IPAMConfig {
  /** CIDR, "172.18.0.0/16"; omitted when empty. */
  Subnet?: string;
  /** CIDR inside Subnet from which container addresses are allocated; omitted when empty. */
  IPRange?: string;
  /** An address (without prefix length) inside Subnet; omitted when empty. */
  Gateway?: string;
  /** Name → address reserved in Subnet (Go's AuxAddress); omitted when empty. */
  AuxiliaryAddresses?: Record<string, string>;
}

/** IP address management of a network. */
export interface IPAM {
  /** "default" unless a plugin is named (`--ipam-driver`). */
  Driver?: string;
  /** IPAM driver options (`--ipam-opt`). */
  Options?: Record<string, string> | null;
  Config?: IPAMConfig[] | null;
}

/** The network a `--config-from` network takes its configuration from. */
export interface ConfigReference {
  Network: string;
}

/** One container's endpoint on a network, as inspect lists it under `Containers`. */
export interface EndpointResource {
  /** The container's name, without the leading "/". */
  Name: string;
  EndpointID: string;
  MacAddress: string;
  /** CIDR, "172.18.0.2/16"; "" when none. */
  IPv4Address: string;
  /** CIDR; "" when none. */
  IPv6Address: string;
}

/** Swarm overlay peers (never set by berthd; for completeness). */
export interface PeerInfo {
  Name: string;
  IP: string;
}

/**
 * A network, as `GET /networks/{id}` answers it; `GET /networks` lists the same objects (dockerd
 * leaves `Containers` empty there). Every field is sent but Peers and Services, which are
 * omitted when empty; `?verbose=true` adds Services for swarm networks only.
 */
export interface NetworkResource {
  Name: string;
  Id: string;
  /** RFC 3339 with nanoseconds: "2024-05-01T12:00:00.123456789Z". */
  Created: string;
  /** "local" for berth's networks ("swarm" and "global" exist in Docker). */
  Scope: string;
  /** "bridge", "host", "null", ... */
  Driver: string;
  /** API v1.47+ only: not sent by a v1.43 daemon. */
  EnableIPv4?: boolean;
  EnableIPv6: boolean;
  IPAM: IPAM;
  Internal: boolean;
  Attachable: boolean;
  Ingress: boolean;
  ConfigFrom: ConfigReference;
  ConfigOnly: boolean;
  /** Container id → its endpoint on this network; `{}` when none. */
  Containers: Record<string, EndpointResource>;
  /** Driver options (`-o`). */
  Options: Record<string, string> | null;
  Labels: Record<string, string> | null;
  Peers?: PeerInfo[];
  Services?: Record<string, unknown>;
}

/** The same object under the name moby's newer API packages use. */
export type NetworkInspect = NetworkResource;
/** An entry of `GET /networks` (the same shape). */
export type NetworkSummary = NetworkResource;

/** The body of `POST /networks/create`. */
export interface NetworkCreateRequest {
  Name: string;
  /** Deprecated in API v1.44 (the daemon always checks); docker sends true to older daemons. */
  CheckDuplicate?: boolean;
  /** "" or missing means "bridge". */
  Driver?: string;
  Scope?: string;
  /** API v1.47+; a v1.43 daemon ignores it. */
  EnableIPv4?: boolean;
  EnableIPv6?: boolean;
  IPAM?: IPAM | null;
  Internal?: boolean;
  Attachable?: boolean;
  Ingress?: boolean;
  ConfigOnly?: boolean;
  ConfigFrom?: ConfigReference | null;
  Options?: Record<string, string> | null;
  Labels?: Record<string, string> | null;
}

/** The answer of `POST /networks/create` (201). */
export interface NetworkCreateResponse {
  Id: string;
  Warning: string;
}

/** The body of `POST /networks/{id}/connect`. */
export interface NetworkConnectRequest {
  /** A container's id or name. */
  Container: string;
  EndpointConfig?: EndpointSettings | null;
}

/** The body of `POST /networks/{id}/disconnect`. */
export interface NetworkDisconnectRequest {
  Container: string;
  /** Force the container to disconnect from the network. */
  Force?: boolean;
}

/** The answer of `POST /networks/prune`: names of the networks removed (null when none). */
export interface NetworksPruneReport {
  NetworksDeleted: string[] | null;
}

export type { EndpointSettings, EndpointIPAMConfig } from './container-config.js';
