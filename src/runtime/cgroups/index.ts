// The cgroup library's entry point: finds the host's hierarchies and hands back a Cgroup for
// the container's path in them, v1 (including the hybrid layout) or v2.
import { readFileSync } from 'node:fs';
import { isAbsolute, join, posix } from 'node:path';
import { InvalidArgument, NotFound, Unsupported, errnoCode } from '../../errors.js';
import type { Cgroup, OpenCgroupOptions } from './cgroup.js';
import {
  parseCgroupMounts, parseProcCgroup, realCgroupfs, type CgroupMount, type Placement,
} from './directories.js';
import { V1Cgroup } from './v1/cgroup.js';
import { V2Cgroup } from './v2/cgroup.js';

export type { Cgroup, CgroupHierarchy, OpenCgroupOptions } from './cgroup.js';
export type {
  BlkioEntry, BlkioStats, CgroupStats, CpuStats, CpuThrottling, CpuUsage, MemoryEntry, MemoryStats, PidsStats,
} from './stats.js';
export { UNLIMITED, emptyStats } from './stats.js';
export { berthCgroupParent, realCgroupfs, type CgroupfsOps } from './directories.js';

const FIELD = 'linux.cgroupsPath';

/**
 * The path components of a cgroupsPath. Absolute paths start at each hierarchy's root; relative
 * ones below the runtime's own cgroup, as runc reads them. ".." could climb out of either, so
 * it is refused rather than resolved.
 */
export function cgroupPathSegments(cgroupsPath: string): string[] {
  if (cgroupsPath === '') throw new InvalidArgument(`${FIELD}: must not be empty`);
  if (/^[^/:]*:[^:]*:[^:]*$/.test(cgroupsPath)) {
    throw new Unsupported(`${FIELD}: "${cgroupsPath}" is a systemd "slice:prefix:name" path; berth drives cgroupfs directly and has no systemd cgroup driver`);
  }
  const segments = cgroupsPath.split('/').filter((s) => s !== '' && s !== '.');
  if (segments.includes('..')) throw new InvalidArgument(`${FIELD}: "${cgroupsPath}" must not contain ".." components`);
  if (segments.length === 0) throw new InvalidArgument(`${FIELD}: "${cgroupsPath}" names the root cgroup, which a container cannot own`);
  return segments;
}

async function readHostFile(fsRoot: string, path: string): Promise<string> {
  try {
    // Synchronous: /proc files are made by the kernel on read and never wait on a disk.
    return readFileSync(join(fsRoot, path), 'utf8');
  } catch (err) {
    if (errnoCode(err) === 'ENOENT') throw new NotFound(`${join(fsRoot, path)} does not exist; is /proc mounted?`, { cause: err });
    throw err;
  }
}

/** The host's cgroup hierarchies, read once per process: they are mounted at boot and stay. */
const hostCgroupMounts = new Map<string, Promise<CgroupMount[]>>();

/**
 * The cgroup mounts seen from `fsRoot`. mountinfo lists every mount, containers' overlays
 * included, and costs the kernel more to write with each one: reading it for every container
 * verb was a visible part of a start burst.
 */
function cgroupMounts(fsRoot: string): Promise<CgroupMount[]> {
  // Only the real host's are kept: a test's fake root may change between calls.
  if (fsRoot !== '/') return readHostFile(fsRoot, 'proc/self/mountinfo').then(parseCgroupMounts);
  let mounts = hostCgroupMounts.get(fsRoot);
  if (!mounts) {
    mounts = readHostFile(fsRoot, 'proc/self/mountinfo').then(parseCgroupMounts);
    hostCgroupMounts.set(fsRoot, mounts);
    mounts.catch(() => hostCgroupMounts.delete(fsRoot));
  }
  return mounts;
}

/** The key /proc/self/cgroup uses for a hierarchy: its controller list, "name=…", or "" on v2. */
function ownCgroupPath(own: Map<string, string>, mount: CgroupMount): string {
  if (mount.fstype === 'cgroup2') return own.get('') ?? '/';
  const wanted = mount.controllers.length ? [...mount.controllers].sort().join(',') : `name=${mount.name}`;
  for (const [key, path] of own) {
    if (key.split(',').sort().join(',') === wanted) return path;
  }
  return '/';
}

export async function openCgroup(cgroupsPath: string, options: OpenCgroupOptions = {}): Promise<Cgroup> {
  const fsRoot = options.fsRoot ?? '/';
  const ops = options.cgroupfs ?? realCgroupfs;
  const segments = cgroupPathSegments(cgroupsPath);
  const mounts = await cgroupMounts(fsRoot);
  const own = isAbsolute(cgroupsPath) ? new Map<string, string>() : parseProcCgroup(await readHostFile(fsRoot, 'proc/self/cgroup'));

  const place = (mount: CgroupMount): Placement => {
    // The cgroup's path from the hierarchy's root, then from what the mount point shows.
    const inHierarchy = isAbsolute(cgroupsPath) ? posix.join('/', ...segments) : posix.join(ownCgroupPath(own, mount), ...segments);
    const fromMount = mount.root !== '/' && inHierarchy.startsWith(`${mount.root}/`) ? inHierarchy.slice(mount.root.length) : inHierarchy;
    const relative = fromMount.split('/').filter(Boolean);
    const hostRoot = join(fsRoot, mount.mountPoint);
    return { mount, hostRoot, segments: relative, hostPath: join(hostRoot, ...relative) };
  };

  const controllerMounts = mounts.filter((m) => m.fstype === 'cgroup' && m.controllers.length > 0);
  const unified = mounts.find((m) => m.fstype === 'cgroup2');
  if (controllerMounts.length > 0) {
    // v1, or hybrid: processes also join name=systemd and the unified hierarchy so that tools
    // reading them (systemd, the container's own view of /sys/fs/cgroup) see the container.
    const systemd = mounts.find((m) => m.fstype === 'cgroup' && m.controllers.length === 0 && m.name === 'systemd');
    const ordered = [...controllerMounts, ...(systemd ? [systemd] : []), ...(unified ? [unified] : [])];
    return new V1Cgroup(ops, ordered.map(place), options.createdDirectories);
  }
  if (unified) {
    const cgroup = new V2Cgroup(ops, place(unified), options.createdDirectories);
    await cgroup.refreshControllers();
    return cgroup;
  }
  throw new Unsupported(`${FIELD}: no cgroup filesystem is mounted (read ${join(fsRoot, 'proc/self/mountinfo')})`);
}
