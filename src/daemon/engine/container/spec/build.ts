// Docker's container-create request (Config + HostConfig) and the image's config → the OCI spec
// berthd hands to the runtime, with Docker's defaults. No HTTP, no daemon state: everything the
// builder needs from the daemon comes in as input. It reads the container's root filesystem (for
// /etc/passwd and /etc/group) and, for `-v` binds, creates missing host directories as Docker does.
//
// Each concern has its own file: defaults.ts (Docker's defaults as data), seccomp-profile.ts and
// seccomp.ts, user.ts, resources.ts, devices.ts, mounts.ts, namespaces.ts, security.ts,
// process.ts; this file only assembles them, in the order moby's createSpec applies its options.
import { existsSync, statSync } from 'node:fs';
import { posix } from 'node:path';
import { InvalidArgument, Unsupported } from '../../../../errors.js';
import type { ContainerConfig, HostConfig } from '../../../../api/types/container-config.js';
import type { ImageConfig } from '../../../../images/formats/image-config.js';
import { ociVersionMax } from '../../../../runtime/features.js';
import type { Capabilities, Linux, Mount, Process, Spec } from '../../../../runtime/spec/types.js';
import { validateSpec } from '../../../../runtime/spec/validate.js';
import {
  defaultDeviceRules,
  defaultMaskedPaths,
  defaultMounts,
  defaultReadonlyPaths,
  defaultShmSize,
  defaultStopSignal,
  hostThermalThrottlePaths,
  reaperPathInContainer,
} from './defaults.js';
import { hostDevices, mappedDevices, parseDeviceCgroupRule, splitDev } from './devices.js';
import { ociMount, sortByDepth, userMounts } from './mounts.js';
import { buildNamespaces } from './namespaces.js';
import { commandArgs, containerEnv, mergeImageDefaults, rlimits } from './process.js';
import { buildResources } from './resources.js';
import { customSeccomp, defaultSeccomp } from './seccomp.js';
import { containerCapabilities, parseSecurityOpts } from './security.js';
import { resolveUser, type ResolvedUser } from './user.js';

export interface HostFilePaths {
  hostname: string;
  hosts: string;
  resolvConf: string;
}

export interface ContainerSpecInputs {
  /** The container's full id (64 hex). */
  id: string;
  config: ContainerConfig;
  hostConfig: HostConfig;
  /**
   * The image's config, whose defaults (Env, Cmd, Entrypoint, User, WorkingDir, StopSignal) are
   * merged into `config`. Merging a config that is already merged changes nothing.
   */
  imageConfig: ImageConfig | undefined;
  /** The container's mounted root filesystem (the overlay's merged directory). */
  rootfs: string;
  /** Files the daemon wrote for /etc/hostname, /etc/hosts and /etc/resolv.conf. */
  hostFiles: HostFilePaths;
  cgroupsPath: string;
  /** A network namespace the daemon prepared; without it the container gets a new, empty one. */
  networkNamespacePath?: string;
  /** pid of a running container by name or id, for `container:<x>` modes. */
  resolveContainerPid: (nameOrId: string) => number;
  /** The host path of the reaper run as PID 1 with HostConfig.Init. */
  reaperBinary: string;
  cgroupVersion: 1 | 2;
  /** Whether the host accounts swap; default: cgroup v2, or v1 with memory.memsw files. */
  swapAccounting?: boolean;
  /** Host path of a named volume; named volumes are refused without it. */
  resolveVolume?: (name: string) => string;
  /** Node's process.arch of the host (tests). */
  hostArch?: string;
  /** The host's kernel release (tests). */
  kernelRelease?: string;
}

export interface ContainerSpecResult {
  spec: Spec;
  /** The user the process runs as, resolved in the container's /etc/passwd and /etc/group. */
  user: ResolvedUser;
  /** Config.StopSignal, else the image's, else SIGTERM. */
  stopSignal: string;
  /** The working directory; the daemon must make it exist in the rootfs (ensureWorkingDir). */
  workingDir: string;
  /** Config after merging the image's defaults. */
  config: ContainerConfig;
  hostname: string;
}

export { ensureWorkingDir } from './rootfs-path.js';

function detectSwapAccounting(cgroupVersion: 1 | 2): boolean {
  return cgroupVersion === 2 || existsSync('/sys/fs/cgroup/memory/memory.memsw.limit_in_bytes');
}

function blockDevice(path: string): { major: number; minor: number } {
  try {
    const st = statSync(path, { bigint: true });
    if (!st.isBlockDevice()) throw new InvalidArgument(`${path} is not a block device`);
    return splitDev(st.rdev);
  } catch (err) {
    if (err instanceof InvalidArgument) throw err;
    throw new InvalidArgument(`cannot stat block device ${path}: ${(err as Error).message}`);
  }
}

function checkOomScoreAdj(h: HostConfig): number {
  const oomScoreAdj = h.OomScoreAdj ?? 0;
  if (!Number.isInteger(oomScoreAdj) || oomScoreAdj < -1000 || oomScoreAdj > 1000) {
    throw new InvalidArgument(`Invalid value ${oomScoreAdj}, range for oom score adj is [-1000, 1000]`);
  }
  return oomScoreAdj;
}

function checkShmSize(h: HostConfig): void {
  if ((h.ShmSize ?? 0) < 0) throw new InvalidArgument('SHM size can not be less than 0');
}

/** The normalized working directory; a relative one is refused. */
function checkWorkingDir(config: ContainerConfig): string {
  const workingDir = config.WorkingDir ? posix.normalize(config.WorkingDir).replace(/(.)\/+$/, '$1') : '/';
  if (!workingDir.startsWith('/')) {
    throw new InvalidArgument(`the working directory '${config.WorkingDir}' is invalid, it needs to be an absolute path`);
  }
  return workingDir;
}

/** Sysctls that would change the host's network or UTS namespace are refused. */
function checkSysctls(h: HostConfig, ns: { hostNetwork: boolean; hostUts: boolean }): Record<string, string> {
  const sysctls = h.Sysctls ?? {};
  for (const key of Object.keys(sysctls)) {
    if (ns.hostNetwork && key.startsWith('net.')) throw new InvalidArgument(`sysctl "${key}" not allowed in host network namespace`);
    if (ns.hostUts && (key === 'kernel.hostname' || key === 'kernel.domainname')) {
      throw new InvalidArgument(`sysctl "${key}" not allowed in host UTS namespace`);
    }
  }
  return sysctls;
}

export interface SettingsCheckInputs {
  config: ContainerConfig;
  hostConfig: HostConfig;
  /** Whether a container (container:<x> modes) exists; a running one is needed only at start. */
  containerExists: (nameOrId: string) => boolean;
  /** Default: the host's. */
  cgroupVersion?: 1 | 2;
}

/**
 * The checks of buildContainerSpec that need neither the container's root filesystem nor other
 * running containers, for `POST /containers/create` to refuse what start would (dockerd refuses
 * these at create too). The same functions the builder calls: one copy of the rules. Nothing is
 * created (missing `-v` host directories are made at start). Unsupported features are left for
 * start to report, as before.
 */
export async function checkContainerSettings(inputs: SettingsCheckInputs): Promise<void> {
  const h = inputs.hostConfig ?? {};
  const cgroupVersion = inputs.cgroupVersion ?? (existsSync('/sys/fs/cgroup/cgroup.controllers') ? 2 : 1);
  const ignoreUnsupported = (err: unknown) => {
    if (!(err instanceof Unsupported)) throw err;
  };
  checkOomScoreAdj(h);
  checkShmSize(h);
  checkWorkingDir(inputs.config ?? {});
  containerCapabilities(h.CapAdd, h.CapDrop, h.Privileged ?? false);
  parseSecurityOpts(h.SecurityOpt);
  const ns = buildNamespaces({
    hostConfig: h,
    resolveContainerPid: (nameOrId) => {
      // moby's getIPCContainer/getPIDContainer: an unknown container is an invalid parameter.
      if (!inputs.containerExists(nameOrId)) throw new InvalidArgument(`No such container: ${nameOrId}`);
      return 0;
    },
    cgroupVersion,
  });
  const requested = await userMounts({ hostConfig: h, createMissing: false }).catch((err) => {
    ignoreUnsupported(err);
    return [];
  });
  requested.map(ociMount);
  buildResources(h, { swapAccounting: detectSwapAccounting(cgroupVersion), blockDevice });
  (h.DeviceCgroupRules ?? []).map(parseDeviceCgroupRule);
  checkSysctls(h, ns);
  rlimits(h.Ulimits);
}

/** Destinations moby leaves writable on a read-only root. */
const writableOnReadonlyRoot = new Set(['/proc', '/dev/pts', '/dev/shm', '/dev/mqueue', '/dev']);

export async function buildContainerSpec(inputs: ContainerSpecInputs): Promise<ContainerSpecResult> {
  const h = inputs.hostConfig ?? {};
  const config = mergeImageDefaults(inputs.config ?? {}, inputs.imageConfig?.config);
  const privileged = h.Privileged ?? false;

  const oomScoreAdj = checkOomScoreAdj(h);
  checkShmSize(h);
  const workingDir = checkWorkingDir(config);
  const hostname = config.Hostname || inputs.id.slice(0, 12);
  let args = commandArgs(config);

  const caps = containerCapabilities(h.CapAdd, h.CapDrop, privileged);
  const security = parseSecurityOpts(h.SecurityOpt);
  const user = await resolveUser(inputs.rootfs, config.User, h.GroupAdd ?? []);
  const ns = buildNamespaces({
    hostConfig: h,
    ...(inputs.networkNamespacePath ? { networkNamespacePath: inputs.networkNamespacePath } : {}),
    resolveContainerPid: inputs.resolveContainerPid,
    cgroupVersion: inputs.cgroupVersion,
  });

  // Mounts: the defaults a user mount does not replace, then everything of the user's and the
  // daemon's, shallow first.
  const requested = await userMounts({ hostConfig: h, ...(inputs.resolveVolume ? { resolveVolume: inputs.resolveVolume } : {}) });
  const own: Mount[] = requested.map(ociMount);
  const ownDestinations = new Set(own.map((m) => m.destination));
  const hostFileRo = h.ReadonlyRootfs ? ['ro'] : [];
  for (const [destination, source] of [
    ['/etc/resolv.conf', inputs.hostFiles.resolvConf],
    ['/etc/hostname', inputs.hostFiles.hostname],
    ['/etc/hosts', inputs.hostFiles.hosts],
  ] as const) {
    if (!ownDestinations.has(destination)) own.push({ destination, type: 'bind', source, options: ['rbind', 'rprivate', ...hostFileRo] });
  }
  if (ns.hostIpc && !ownDestinations.has('/dev/shm')) {
    own.push({ destination: '/dev/shm', type: 'bind', source: '/dev/shm', options: ['rbind', 'rprivate'] });
  } else if (ns.ipcContainerPid !== undefined && !ownDestinations.has('/dev/shm')) {
    // The other container's /dev/shm, reached through its root as the host sees it.
    own.push({ destination: '/dev/shm', type: 'bind', source: `/proc/${ns.ipcContainerPid}/root/dev/shm`, options: ['rbind', 'rprivate'] });
  }
  const replacesDev = ownDestinations.has('/dev');
  const sharedShm = ns.hostIpc || ns.ipcContainerPid !== undefined;
  const defaults = defaultMounts(h.ShmSize || defaultShmSize).filter((m) => {
    if (ownDestinations.has(m.destination)) return false;
    if (replacesDev && m.destination.startsWith('/dev/')) return false;
    if (m.destination === '/dev/shm' && (ns.noIpc || sharedShm)) return false;
    return true;
  });
  if (h.ReadonlyRootfs) {
    for (const m of defaults) {
      if (!writableOnReadonlyRoot.has(m.destination) && !m.options?.includes('ro')) m.options = [...(m.options ?? []), 'ro'];
    }
  }
  if (privileged) {
    for (const m of defaults) {
      if (m.destination === '/sys' || m.type === 'cgroup') m.options = (m.options ?? []).map((o) => (o === 'ro' ? 'rw' : o));
    }
  }
  const mounts = [...defaults, ...sortByDepth(own)];
  if (h.Init) {
    if (!existsSync(inputs.reaperBinary)) throw new InvalidArgument(`the init binary ${inputs.reaperBinary} does not exist`);
    mounts.push({ destination: reaperPathInContainer, type: 'bind', source: inputs.reaperBinary, options: ['bind', 'ro'] });
    args = [reaperPathInContainer, '--', ...args];
  }

  // Devices and cgroup limits.
  const resources = buildResources(h, {
    swapAccounting: inputs.swapAccounting ?? detectSwapAccounting(inputs.cgroupVersion),
    blockDevice,
  });
  const linux: Linux = { cgroupsPath: inputs.cgroupsPath, namespaces: ns.namespaces };
  if (privileged) {
    linux.devices = hostDevices();
    resources.devices = [{ allow: true, access: 'rwm' }];
  } else {
    const mapped = mappedDevices(h.Devices ?? []);
    if (mapped.devices.length) linux.devices = mapped.devices;
    resources.devices = [...defaultDeviceRules(), ...mapped.rules, ...(h.DeviceCgroupRules ?? []).map(parseDeviceCgroupRule)];
  }
  linux.resources = resources;

  if (!privileged) {
    linux.maskedPaths = h.MaskedPaths ? [...h.MaskedPaths] : [...defaultMaskedPaths, ...hostThermalThrottlePaths()];
    linux.readonlyPaths = h.ReadonlyPaths ? [...h.ReadonlyPaths] : [...defaultReadonlyPaths];
    const target = {
      capabilities: caps,
      ...(inputs.hostArch ? { hostArch: inputs.hostArch } : {}),
      ...(inputs.kernelRelease ? { kernelRelease: inputs.kernelRelease } : {}),
    };
    // Privileged containers and seccomp=unconfined run without a filter, as under Docker.
    if (security.seccomp === undefined) linux.seccomp = defaultSeccomp(target);
    else if (security.seccomp !== 'unconfined') linux.seccomp = customSeccomp(security.seccomp, target);
  }

  const sysctls = checkSysctls(h, ns);
  if (Object.keys(sysctls).length) linux.sysctl = { ...sysctls };

  // Shared or slave propagation of a bind needs the root to propagate too (moby sets rshared/rslave).
  const propagation = own.flatMap((m) => m.options ?? []);
  if (propagation.some((o) => o === 'shared' || o === 'rshared')) linux.rootfsPropagation = 'rshared';
  else if (propagation.some((o) => o === 'slave' || o === 'rslave')) linux.rootfsPropagation = 'rslave';

  // A non-root user gets only the bounding set, as execve would leave it (moby's SetCapabilities).
  const capabilities: Capabilities = user.uid === 0 ? { bounding: [...caps], effective: [...caps], permitted: [...caps] } : { bounding: [...caps] };
  const processSpec: Process = {
    terminal: config.Tty ?? false,
    user: { uid: user.uid, gid: user.gid, ...(user.additionalGids.length ? { additionalGids: user.additionalGids } : {}) },
    args,
    env: containerEnv(config, hostname, user.home),
    cwd: workingDir,
    capabilities,
    oomScoreAdj,
  };
  if (config.Tty && h.ConsoleSize && h.ConsoleSize[0] && h.ConsoleSize[1]) {
    processSpec.consoleSize = { height: h.ConsoleSize[0], width: h.ConsoleSize[1] };
  }
  const limits = rlimits(h.Ulimits);
  if (limits.length) processSpec.rlimits = limits;
  if (security.noNewPrivileges) processSpec.noNewPrivileges = true;

  const spec: Spec = {
    ociVersion: ociVersionMax,
    process: processSpec,
    root: { path: inputs.rootfs, readonly: h.ReadonlyRootfs ?? false },
    mounts,
    linux,
  };
  if (!ns.hostUts) {
    spec.hostname = hostname;
    if (config.Domainname) spec.domainname = config.Domainname;
  }
  if (h.Annotations && Object.keys(h.Annotations).length) spec.annotations = { ...h.Annotations };
  validateSpec(spec, 'container spec');

  return {
    spec,
    user,
    stopSignal: config.StopSignal || defaultStopSignal,
    workingDir,
    config,
    hostname,
  };
}
