// The contract between the runtime and a container's cgroup, whatever the hierarchy version.
// v1/cgroup.ts and v2/cgroup.ts implement it; index.ts picks one from the host's mounts.

import type { Resources } from '../spec/types.js';
import type { CgroupStats } from './stats.js';
import type { CgroupfsOps } from './directories.js';

/** One hierarchy the container belongs to, described so that the runtime can mount it inside. */
export interface CgroupHierarchy {
  fstype: 'cgroup' | 'cgroup2';
  /**
   * The hierarchy's directory name under the cgroupfs root: "memory", "cpu,cpuacct",
   * "systemd", "unified". Empty on a pure v2 host, where the hierarchy is /sys/fs/cgroup itself.
   */
  mountName: string;
  /** Mount data for a `cgroup` mount: "memory", "cpu,cpuacct", "name=systemd"; "" for cgroup2. */
  options: string;
  /** Controllers bound to the hierarchy (for v2: those enabled for the container's directory). */
  controllers: string[];
  /** The container's own directory in this hierarchy. */
  hostPath: string;
  /** The hierarchy's mount point on the host. */
  hostRoot: string;
}

export interface Cgroup {
  readonly version: 1 | 2;
  /**
   * Host paths of each `cgroup.procs` file the container's first process must be written into,
   * one per hierarchy: v1 controller hierarchies in mountinfo order, then name=systemd, then the
   * unified hierarchy of a hybrid host. On v2, exactly one.
   */
  procsFiles(): string[];
  /**
   * Creates the directories (with parents) and applies the limits. Throws InvalidArgument naming
   * the field for invalid values and Unsupported for a controller that is absent. On failure,
   * the directories it made are removed again.
   */
  create(resources: Resources | undefined): Promise<void>;
  /** Changes the limits of a live cgroup; only the fields present are touched. */
  update(resources: Resources): Promise<void>;
  /** Every process in the cgroup and its descendants. */
  pids(): Promise<number[]>;
  /** Freezes every process and waits until the kernel reports the cgroup frozen. */
  freeze(): Promise<void>;
  thaw(): Promise<void>;
  /** Whether the cgroup itself was frozen (not merely an ancestor). */
  isFrozen(): Promise<boolean>;
  stats(): Promise<CgroupStats>;
  oomKillCount(): Promise<number>;
  /**
   * The file whose `oom_kill` line counts the cgroup's OOM kills (v1 memory.oom_control, v2
   * memory.events), for a reader outside the runtime (the monitor); undefined without memory.
   */
  oomEventsFile(): string | undefined;
  /** Sends a signal to every process: freeze so that none can fork, signal, thaw. */
  killAll(signal: NodeJS.Signals | number): Promise<void>;
  /**
   * Removes the container's directories (retrying briefly while dying processes leave) and the
   * parents this handle created, as long as they are empty.
   */
  destroy(): Promise<void>;
  hierarchies(): CgroupHierarchy[];
  /**
   * The directories create() made, parents first. A later process (`delete` runs apart from
   * `create`) passes them back through OpenCgroupOptions.createdDirectories so that destroy()
   * removes exactly these; the runtime keeps them in the container's state.
   */
  createdDirectories(): string[];
}

export interface OpenCgroupOptions {
  /**
   * Where the host's filesystem starts: proc/self/mountinfo, proc/self/cgroup and the mount
   * points found there are read under it. "/" by default; unit tests point it at a temporary
   * directory shaped like a host.
   */
  fsRoot?: string;
  /** How cgroup directories are made and removed; tests substitute a fake kernel. */
  cgroupfs?: CgroupfsOps;
  /**
   * The directories an earlier create() made (its createdDirectories()). Without it, destroy()
   * assumes the container's own directories are its and leaves every parent alone.
   */
  createdDirectories?: string[];
}
