// What berthd remembers about a container, on disk in <data-root>/containers/<id>/container.json:
// how it was created (Docker's Config and HostConfig, kept as sent), what it is made from, and
// its last known state. The live truth while it runs is its monitor; this is what survives.
import type { ContainerConfig, HostConfig } from '../../../api/types/container-config.js';
import type { EndpointConfig } from '../network/container-networking.js';
import type { ContainerNetworkState } from '../network/record.js';

/** Docker's State.Status values. */
export type ContainerStatus = 'created' | 'running' | 'paused' | 'restarting' | 'removing' | 'exited' | 'dead';

export interface ContainerStateRecord {
  status: ContainerStatus;
  pid: number;
  exitCode: number;
  oomKilled: boolean;
  /** Why the last start failed, as Docker's State.Error. */
  error: string;
  startedAt: string;
  finishedAt: string;
}

export interface ContainerRecord {
  id: string;
  /** Without Docker's leading slash. */
  name: string;
  created: string;
  /** The image's id (config digest). */
  image: string;
  /** The image as the user named it ("busybox"), Docker's Config.Image. */
  imageName: string;
  config: ContainerConfig;
  hostConfig: HostConfig;
  /** The program and its arguments as resolved at create (Docker's Path and Args). */
  path: string;
  args: string[];
  /** "berth" or a runc-compatible runtime's name. */
  runtime: string;
  driver: string;
  state: ContainerStateRecord;
  restartCount: number;
  /** The networks it joins when it starts, by network name (from NetworkMode and NetworkingConfig). */
  networks?: Record<string, EndpointConfig>;
  /** Its namespace, interfaces and published ports while it runs. */
  network?: ContainerNetworkState | undefined;
}

export const zeroTime = '0001-01-01T00:00:00Z';

export function initialState(): ContainerStateRecord {
  return { status: 'created', pid: 0, exitCode: 0, oomKilled: false, error: '', startedAt: zeroTime, finishedAt: zeroTime };
}
