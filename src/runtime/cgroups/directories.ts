// Where the cgroup hierarchies are (mountinfo, /proc/self/cgroup) and how their directories are
// made and removed. Everything that touches cgroupfs goes through CgroupfsOps so that unit tests
// can stand a fake kernel in its place.
import { closeSync, constants, mkdirSync, openSync, readFileSync, readdirSync, rmdirSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { errnoCode } from '../../errors.js';

/** The filesystem operations the cgroup library needs. */
export interface CgroupfsOps {
  /** Makes one directory; throws EEXIST if it is there already. */
  mkdir(path: string): Promise<void>;
  /** Removes one cgroup directory (its control files go with it, as on cgroupfs). */
  rmdir(path: string): Promise<void>;
  readFile(path: string): Promise<string>;
  /** Writes an existing control file in one write(2); throws ENOENT when the file is absent. */
  writeFile(path: string, data: string): Promise<void>;
  /** The names of the subdirectories (child cgroups) of a directory. */
  listDirectories(path: string): Promise<string[]>;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** How long rmdir keeps retrying EBUSY while the last processes of a cgroup exit. */
const RMDIR_BUSY_MS = 2000;

/**
 * The kernel's cgroupfs. Its files live in kernel memory and never wait on a disk, so the calls
 * are synchronous: a thread-pool round trip per file costs more than the work, and a container
 * start touches dozens of them.
 */
export const realCgroupfs: CgroupfsOps = {
  async mkdir(path) {
    mkdirSync(path);
  },
  async rmdir(path) {
    // A killed process stays in its cgroup until it has been reaped; rmdir says EBUSY until then.
    const deadline = Date.now() + RMDIR_BUSY_MS;
    for (let delay = 5; ; delay = Math.min(delay * 2, 100)) {
      try {
        rmdirSync(path);
        return;
      } catch (err) {
        if (errnoCode(err) !== 'EBUSY' || Date.now() >= deadline) throw err;
      }
      await sleep(delay);
    }
  },
  async readFile(path) {
    return readFileSync(path, 'utf8');
  },
  async writeFile(path, data) {
    // No O_CREAT: a control file that is absent means the controller is, and must say so.
    const fd = openSync(path, constants.O_WRONLY | constants.O_TRUNC);
    try {
      writeSync(fd, data);
    } finally {
      closeSync(fd);
    }
  },
  async listDirectories(path) {
    return readdirSync(path, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name);
  },
};

/** A cgroup filesystem as mountinfo lists it. */
export interface CgroupMount {
  fstype: 'cgroup' | 'cgroup2';
  /** Where it is mounted (host path, not under fsRoot). */
  mountPoint: string;
  /** The cgroup the mount shows at its mount point ("/" unless a subtree was mounted). */
  root: string;
  /** v1 controllers bound to the hierarchy, in the kernel's order; empty for cgroup2 and named ones. */
  controllers: string[];
  /** A named v1 hierarchy's name ("systemd" for name=systemd). */
  name?: string;
}

/** The v1 controllers the kernel may bind to a hierarchy; other super options are flags. */
const V1_CONTROLLERS = new Set([
  'cpu', 'cpuacct', 'cpuset', 'memory', 'devices', 'freezer', 'net_cls', 'net_prio', 'blkio',
  'perf_event', 'hugetlb', 'pids', 'rdma', 'misc', 'debug',
]);

/** mountinfo escapes space, tab, newline and backslash as octal. */
function unescapeMountinfo(field: string): string {
  return field.replace(/\\([0-7]{3})/g, (_, oct: string) => String.fromCharCode(parseInt(oct, 8)));
}

/**
 * The cgroup mounts in a mountinfo text, first mount of each hierarchy only (bind mounts of a
 * hierarchy elsewhere would otherwise appear twice).
 */
export function parseCgroupMounts(mountinfo: string): CgroupMount[] {
  const mounts: CgroupMount[] = [];
  const seen = new Set<string>();
  for (const line of mountinfo.split('\n')) {
    const fields = line.trim().split(' ');
    const dash = fields.indexOf('-');
    if (dash < 6 || fields.length < dash + 4) continue;
    const fstype = fields[dash + 1];
    if (fstype !== 'cgroup' && fstype !== 'cgroup2') continue;
    const superOptions = fields[dash + 3]!.split(',');
    const controllers = fstype === 'cgroup' ? superOptions.filter((o) => V1_CONTROLLERS.has(o)) : [];
    const name = superOptions.find((o) => o.startsWith('name='))?.slice('name='.length);
    const key = fstype === 'cgroup2' ? 'cgroup2' : `${controllers.join(',')}|${name ?? ''}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const mount: CgroupMount = {
      fstype,
      mountPoint: unescapeMountinfo(fields[4]!),
      root: unescapeMountinfo(fields[3]!),
      controllers,
    };
    if (name !== undefined) mount.name = name;
    mounts.push(mount);
  }
  return mounts;
}

/**
 * /proc/self/cgroup as a map from hierarchy key to the process's cgroup there: the key is the
 * controller list ("cpu,cpuacct"), "name=systemd" for a named hierarchy, or "" for cgroup2.
 */
export function parseProcCgroup(text: string): Map<string, string> {
  const result = new Map<string, string>();
  for (const line of text.split('\n')) {
    const first = line.indexOf(':');
    const second = line.indexOf(':', first + 1);
    if (first < 0 || second < 0) continue;
    result.set(line.slice(first + 1, second), line.slice(second + 1));
  }
  return result;
}

/**
 * Makes `dir` and the parents it lacks below `root`, returning the directories it made, parents
 * first. An existing directory is not an error: containers share parents such as /berth.
 */
export async function makeDirectories(
  ops: CgroupfsOps,
  root: string,
  relative: string[],
  /** Runs in each parent before its child is made (v2: enabling controllers for the child). */
  beforeChild?: (parent: string) => Promise<void>,
): Promise<string[]> {
  const made: string[] = [];
  let current = root;
  for (const segment of relative) {
    await beforeChild?.(current);
    current = join(current, segment);
    try {
      await ops.mkdir(current);
      made.push(current);
    } catch (err) {
      if (errnoCode(err) !== 'EEXIST') throw err;
    }
  }
  return made;
}

/**
 * Removes a cgroup directory and the child cgroups a container may have made inside it,
 * deepest first. A directory that is already gone is fine.
 */
export async function removeTree(ops: CgroupfsOps, dir: string): Promise<void> {
  let children: string[];
  try {
    children = await ops.listDirectories(dir);
  } catch (err) {
    if (errnoCode(err) === 'ENOENT') return;
    throw err;
  }
  for (const child of children) await removeTree(ops, join(dir, child));
  try {
    await ops.rmdir(dir);
  } catch (err) {
    if (errnoCode(err) !== 'ENOENT') throw err;
  }
}

/** Removes a parent directory if nothing else lives below it; a shared parent stays. */
export async function removeIfEmpty(ops: CgroupfsOps, dir: string): Promise<void> {
  try {
    if ((await ops.listDirectories(dir)).length > 0) return;
    await ops.rmdir(dir);
  } catch (err) {
    // EBUSY: processes of its own, or a sibling appeared meanwhile. Either way it is not ours alone.
    const code = errnoCode(err);
    if (code !== 'ENOENT' && code !== 'EBUSY' && code !== 'ENOTEMPTY') throw err;
  }
}

/** All processes listed in a directory's cgroup.procs and those of its descendants. */
export async function readProcsRecursive(ops: CgroupfsOps, dir: string): Promise<number[]> {
  const pids: number[] = [];
  let text: string;
  try {
    text = await ops.readFile(join(dir, 'cgroup.procs'));
  } catch (err) {
    if (errnoCode(err) === 'ENOENT') return pids;
    throw err;
  }
  for (const line of text.split('\n')) {
    const pid = Number.parseInt(line, 10);
    if (Number.isInteger(pid) && pid > 0) pids.push(pid);
  }
  let children: string[] = [];
  try {
    children = await ops.listDirectories(dir);
  } catch (err) {
    if (errnoCode(err) !== 'ENOENT') throw err;
  }
  for (const child of children) pids.push(...(await readProcsRecursive(ops, join(dir, child))));
  return pids;
}

/** Where a container sits in one hierarchy. */
export interface Placement {
  mount: CgroupMount;
  /** The hierarchy's mount point, under fsRoot. */
  hostRoot: string;
  /** Path components from hostRoot down to the container's directory. */
  segments: string[];
  /** The container's own directory. */
  hostPath: string;
}

/**
 * Removes the container's directories in every hierarchy, then the parents in `created` that
 * are left empty, deepest first. Every hierarchy is attempted; the first failure is rethrown.
 */
/**
 * The parent of berth's container cgroups (`/berth/<id>`). It is berth's whichever container
 * happened to make it: with several containers, the one that made it is often not the last to
 * go, so it is removed by whichever container leaves it empty. Parents of other cgroup paths
 * are removed only by the container that made them (they may be the user's own).
 */
export const berthCgroupParent = 'berth';

export async function removePlacements(ops: CgroupfsOps, placements: Placement[], created: string[]): Promise<void> {
  let failure: unknown;
  await Promise.all(placements.map((p) => removeTree(ops, p.hostPath).catch((err: unknown) => { failure ??= err; })));
  const own = new Set(placements.map((p) => p.hostPath));
  const berthParents = placements
    .filter((p) => p.segments.length > 1 && p.segments[0] === berthCgroupParent)
    .map((p) => join(p.hostRoot, berthCgroupParent));
  const parents = [...new Set([...created, ...berthParents])].filter((dir) => !own.has(dir)).sort((a, b) => b.length - a.length);
  for (const dir of parents) {
    try {
      await removeIfEmpty(ops, dir);
    } catch (err) {
      failure ??= err;
    }
  }
  if (failure !== undefined) throw failure;
}
