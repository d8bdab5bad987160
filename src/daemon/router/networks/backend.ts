// What the network routes need from the engine.
import type { NetworkConnectRequest, NetworkCreateRequest, NetworkDisconnectRequest, NetworkResource, NetworksPruneReport } from '../../../api/types/network.js';

export interface NetworkBackend {
  create(request: NetworkCreateRequest): Promise<{ Id: string; Warning: string }>;
  inspect(idOrName: string): NetworkResource;
  list(filters: Map<string, string[]>): NetworkResource[];
  remove(idOrName: string): Promise<void>;
  prune(filters: Map<string, string[]>): Promise<NetworksPruneReport>;
  connect(idOrName: string, request: NetworkConnectRequest): Promise<void>;
  disconnect(idOrName: string, request: NetworkDisconnectRequest): Promise<void>;
}
