// The v1 Cgroup: one directory per hierarchy (each controller hierarchy, name=systemd, and on a
// hybrid host the unified one), with each controller's settings written into its own.
import { basename, join } from 'node:path';
import { Unsupported } from '../../../errors.js';
import type { Resources } from '../../spec/types.js';
import type { Cgroup, CgroupHierarchy } from '../cgroup.js';
import {
  makeDirectories, readProcsRecursive, removePlacements, removeTree, removeIfEmpty,
  type CgroupfsOps, type Placement,
} from '../directories.js';
import { ControlDir } from '../files.js';
import { signalEach } from '../signal.js';
import { emptyStats, type CgroupStats } from '../stats.js';
import { validateResources } from '../validate.js';
import { blkioIsSet, blkioStats, setBlkio } from './blkio.js';
import { cpuIsSet, setCpu, throttlingStats } from './cpu.js';
import { cpuUsage } from './cpuacct.js';
import { cpusetIsSet, inheritCpusets, setCpuset } from './cpuset.js';
import { setDevices } from './devices.js';
import * as freezer from './freezer.js';
import { setHugetlb } from './hugetlb.js';
import { memoryIsSet, memoryStats, oomKills, setMemory } from './memory.js';
import { pidsStats, setPids } from './pids.js';

export class V1Cgroup implements Cgroup {
  readonly version = 1 as const;
  /** Controller name → the container's directory in the hierarchy that has it. */
  private readonly dirs = new Map<string, ControlDir>();
  private made: string[];

  /**
   * `placements`: controller hierarchies in mountinfo order, then name=systemd, then the
   * unified hierarchy of a hybrid host (index.ts orders them).
   */
  constructor(
    private readonly ops: CgroupfsOps,
    private readonly placements: Placement[],
    createdDirectories: string[] | undefined,
  ) {
    this.made = [...(createdDirectories ?? [])];
    for (const p of placements) {
      for (const controller of p.mount.controllers) this.dirs.set(controller, new ControlDir(ops, p.hostPath));
    }
  }

  procsFiles(): string[] {
    return this.placements.map((p) => join(p.hostPath, 'cgroup.procs'));
  }

  hierarchies(): CgroupHierarchy[] {
    return this.placements.map((p) => ({
      fstype: p.mount.fstype,
      mountName: basename(p.mount.mountPoint),
      options: p.mount.fstype === 'cgroup2' ? '' : p.mount.controllers.length ? p.mount.controllers.join(',') : `name=${p.mount.name}`,
      controllers: [...p.mount.controllers],
      hostPath: p.hostPath,
      hostRoot: p.hostRoot,
    }));
  }

  createdDirectories(): string[] {
    return [...this.made];
  }

  async create(resources: Resources | undefined): Promise<void> {
    const r = resources ?? {};
    validateResources(r);
    if (r.unified && Object.keys(r.unified).length > 0) {
      throw new Unsupported('linux.resources.unified: needs a cgroup v2 host; this one uses cgroup v1');
    }
    const madeNow: string[] = [];
    try {
      // Hierarchies are independent: making them concurrently halves a container's start.
      await Promise.all(this.placements.map(async (p) => {
        madeNow.push(...(await makeDirectories(this.ops, p.hostRoot, p.segments)));
        if (p.mount.controllers.includes('cpuset')) await inheritCpusets(this.ops, p.hostRoot, p.segments);
      }));
      await this.apply(r, true);
    } catch (err) {
      await this.undo(madeNow);
      throw err;
    }
    this.made.push(...madeNow);
  }

  async update(resources: Resources): Promise<void> {
    validateResources(resources);
    if (resources.unified && Object.keys(resources.unified).length > 0) {
      throw new Unsupported('linux.resources.unified: needs a cgroup v2 host; this one uses cgroup v1');
    }
    await this.apply(resources, false);
  }

  /** The container's directory for a controller, or Unsupported naming the field that needs it. */
  private controller(name: string, field: string): ControlDir {
    const dir = this.dirs.get(name);
    if (!dir) throw new Unsupported(`${field}: the ${name} cgroup controller is not mounted on this host`);
    return dir;
  }

  private async apply(r: Resources, creating: boolean): Promise<void> {
    // cpuset first: the other settings do not depend on it, but processes cannot join without it.
    if (cpusetIsSet(r.cpu)) {
      await setCpuset(this.controller('cpuset', `linux.resources.cpu.${r.cpu!.cpus ? 'cpus' : 'mems'}`), r.cpu!);
    }
    // Each controller has its own files: they are written concurrently.
    const writes: Promise<void>[] = [];
    if (memoryIsSet(r.memory)) writes.push(setMemory(this.controller('memory', 'linux.resources.memory'), r.memory, !creating));
    if (cpuIsSet(r.cpu)) writes.push(setCpu(this.controller('cpu', 'linux.resources.cpu'), r.cpu));
    if (r.pids) writes.push(setPids(this.controller('pids', 'linux.resources.pids'), r.pids));
    if (blkioIsSet(r.blockIO)) writes.push(setBlkio(this.controller('blkio', 'linux.resources.blockIO'), r.blockIO));
    if (r.hugepageLimits?.length) writes.push(setHugetlb(this.controller('hugetlb', 'linux.resources.hugepageLimits'), r.hugepageLimits));
    // A new container always gets the device whitelist; an update only when it brings rules.
    // Hosts without the devices controller (some nested setups) have nothing to restrict with.
    const devices = this.dirs.get('devices');
    if (devices && (creating || r.devices)) writes.push(setDevices(devices, r.devices ?? []));
    await allSettled(writes);
  }

  /** Removes what a failed create() made, deepest first. */
  private async undo(madeNow: string[]): Promise<void> {
    for (const dir of [...madeNow].reverse()) {
      const own = this.placements.some((p) => p.hostPath === dir);
      await (own ? removeTree(this.ops, dir) : removeIfEmpty(this.ops, dir)).catch(() => {});
    }
  }

  async pids(): Promise<number[]> {
    const all = new Set<number>();
    for (const p of this.placements) for (const pid of await readProcsRecursive(this.ops, p.hostPath)) all.add(pid);
    return [...all].sort((a, b) => a - b);
  }

  async freeze(): Promise<void> {
    await freezer.freeze(this.controller('freezer', 'pause'));
  }

  async thaw(): Promise<void> {
    await freezer.thaw(this.controller('freezer', 'resume'));
  }

  async isFrozen(): Promise<boolean> {
    const dir = this.dirs.get('freezer');
    return dir ? freezer.isFrozen(dir) : false;
  }

  async stats(): Promise<CgroupStats> {
    const stats: CgroupStats = { version: 1, ...emptyStats() };
    const memory = this.dirs.get('memory');
    const cpu = this.dirs.get('cpu');
    const cpuacct = this.dirs.get('cpuacct');
    const pids = this.dirs.get('pids');
    const blkio = this.dirs.get('blkio');
    if (memory) stats.memory = await memoryStats(memory);
    if (cpuacct) stats.cpu.usage = await cpuUsage(cpuacct);
    if (cpu) stats.cpu.throttling = await throttlingStats(cpu);
    if (pids) stats.pids = await pidsStats(pids);
    if (blkio) stats.blkio = await blkioStats(blkio);
    return stats;
  }

  async oomKillCount(): Promise<number> {
    const memory = this.dirs.get('memory');
    return memory ? oomKills(memory) : 0;
  }

  oomEventsFile(): string | undefined {
    return this.dirs.get('memory')?.file('memory.oom_control');
  }

  async killAll(signal: NodeJS.Signals | number): Promise<void> {
    // Frozen, no process can fork a child that would escape the signal.
    const dir = this.dirs.get('freezer');
    if (!dir) {
      signalEach(await this.pids(), signal);
      return;
    }
    await freezer.freeze(dir);
    try {
      signalEach(await this.pids(), signal);
    } finally {
      await freezer.thaw(dir);
    }
  }

  async destroy(): Promise<void> {
    await removePlacements(this.ops, this.placements, this.made);
    this.made = [];
  }
}

/** Waits for every write, then throws the first failure (none is left running unobserved). */
async function allSettled(writes: Promise<void>[]): Promise<void> {
  const results = await Promise.allSettled(writes);
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
}
