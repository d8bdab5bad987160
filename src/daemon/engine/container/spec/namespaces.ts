// The container's namespaces from NetworkMode, PidMode, IpcMode, UTSMode, CgroupnsMode and
// UsernsMode: a new one by default, none ("host": the daemon's), or another container's, joined
// by path through /proc/<pid>/ns/<type>.
import { InvalidArgument } from '../../../../errors.js';
import type { HostConfig } from '../../../../api/types/container-config.js';
import type { Namespace, NamespaceType } from '../../../../runtime/spec/types.js';

export interface NamespaceInputs {
  hostConfig: HostConfig;
  /** The network namespace the daemon prepared (bind-mounted file), joined by path. */
  networkNamespacePath?: string;
  /** pid of a running container, by name or id (throws when there is none). */
  resolveContainerPid: (nameOrId: string) => number;
  cgroupVersion: 1 | 2;
}

export interface NamespaceSetup {
  namespaces: Namespace[];
  /** pid of the container whose IPC namespace is joined (its /dev/shm is shared too). */
  ipcContainerPid?: number;
  hostIpc: boolean;
  noIpc: boolean;
  hostNetwork: boolean;
  hostUts: boolean;
}

const containerPrefix = 'container:';

/** "", "host" or "container:<x>" (plus extra values a field allows); anything else is refused. */
function mode(value: string | undefined, field: string, extra: readonly string[] = []): { kind: 'private' | 'host' | 'container' | string; target?: string } {
  const v = value ?? '';
  if (v === '' || extra.includes(v)) return { kind: v === '' ? 'private' : v };
  if (v === 'host') return { kind: 'host' };
  if (v.startsWith(containerPrefix) && v.length > containerPrefix.length) return { kind: 'container', target: v.slice(containerPrefix.length) };
  throw new InvalidArgument(`invalid ${field}: ${v}`);
}

export function buildNamespaces(inputs: NamespaceInputs): NamespaceSetup {
  const h = inputs.hostConfig;
  const namespaces: Namespace[] = [{ type: 'mount' }];
  const join = (type: NamespaceType, target: string, nsName: string) => {
    const pid = inputs.resolveContainerPid(target);
    namespaces.push({ type, path: `/proc/${pid}/ns/${nsName}` });
    return pid;
  };

  // Network: host shares the daemon's; none gets an empty namespace; container:<x> joins x's;
  // otherwise the namespace the daemon prepared, or a new (empty) one.
  const network = h.NetworkMode ?? '';
  const hostNetwork = network === 'host';
  if (network.startsWith(containerPrefix)) {
    const target = network.slice(containerPrefix.length);
    if (!target) throw new InvalidArgument(`invalid network mode: ${network}`);
    join('network', target, 'net');
  } else if (!hostNetwork) {
    namespaces.push(inputs.networkNamespacePath ? { type: 'network', path: inputs.networkNamespacePath } : { type: 'network' });
  }

  const uts = mode(h.UTSMode, 'UTS mode');
  if (uts.kind === 'container') throw new InvalidArgument(`invalid UTS mode: ${h.UTSMode}`);
  if (uts.kind !== 'host') namespaces.push({ type: 'uts' });

  const pid = mode(h.PidMode, 'PID mode');
  if (pid.kind === 'container') join('pid', pid.target!, 'pid');
  else if (pid.kind !== 'host') namespaces.push({ type: 'pid' });

  const ipc = mode(h.IpcMode, 'IPC mode', ['private', 'shareable', 'none']);
  let ipcContainerPid: number | undefined;
  if (ipc.kind === 'container') ipcContainerPid = join('ipc', ipc.target!, 'ipc');
  else if (ipc.kind !== 'host') namespaces.push({ type: 'ipc' });

  // cgroup: private by default on cgroup v2 hosts, the host's on v1 (Docker's default).
  const cgroupns = h.CgroupnsMode ?? '';
  if (!['', 'private', 'host'].includes(cgroupns)) throw new InvalidArgument(`invalid cgroup namespace mode: ${cgroupns}`);
  if (cgroupns === 'private' || (cgroupns === '' && inputs.cgroupVersion === 2)) namespaces.push({ type: 'cgroup' });

  const userns = h.UsernsMode ?? '';
  if (userns !== '' && userns !== 'host') throw new InvalidArgument(`invalid USER mode: ${userns}: berth does not remap users into user namespaces yet`);

  return { namespaces, ...(ipcContainerPid !== undefined ? { ipcContainerPid } : {}), hostIpc: ipc.kind === 'host', noIpc: ipc.kind === 'none', hostNetwork, hostUts: uts.kind === 'host' };
}
