// The v2 Cgroup: one directory in the unified hierarchy, whose controllers its ancestors enable.
import { join } from 'node:path';
import { InvalidArgument, Unsupported, errnoCode } from '../../../errors.js';
import type { Resources } from '../../spec/types.js';
import type { Cgroup, CgroupHierarchy } from '../cgroup.js';
import {
  readProcsRecursive, removeIfEmpty, removePlacements, removeTree, type CgroupfsOps, type Placement,
} from '../directories.js';
import { ControlDir } from '../files.js';
import { pidsStats, setPids } from '../v1/pids.js';
import { signalEach } from '../signal.js';
import { emptyStats, type CgroupStats } from '../stats.js';
import { validateResources } from '../validate.js';
import { availableControllers, makeDirectoriesWithControllers } from './controllers.js';
import { cpuIsSet, cpuStats, setCpu } from './cpu.js';
import { setCpuset } from './cpuset.js';
import * as freezer from './freezer.js';
import { ioIsSet, ioStats, setIo } from './io.js';
import { memoryIsSet, memoryStats, oomKills, setMemory } from './memory.js';

export class V2Cgroup implements Cgroup {
  readonly version = 2 as const;
  private readonly dir: ControlDir;
  private made: string[];
  /** The controllers the container's directory has, known once it exists. */
  private controllers: string[] = [];

  constructor(
    private readonly ops: CgroupfsOps,
    private readonly placement: Placement,
    createdDirectories: string[] | undefined,
  ) {
    this.dir = new ControlDir(ops, placement.hostPath);
    this.made = [...(createdDirectories ?? [])];
  }

  /** Reads which controllers the directory has (openCgroup calls it for an existing cgroup). */
  async refreshControllers(): Promise<void> {
    this.controllers = await availableControllers(this.dir);
  }

  procsFiles(): string[] {
    return [join(this.placement.hostPath, 'cgroup.procs')];
  }

  hierarchies(): CgroupHierarchy[] {
    return [{
      fstype: 'cgroup2',
      mountName: '',
      options: '',
      controllers: [...this.controllers],
      hostPath: this.placement.hostPath,
      hostRoot: this.placement.hostRoot,
    }];
  }

  createdDirectories(): string[] {
    return [...this.made];
  }

  async create(resources: Resources | undefined): Promise<void> {
    const r = resources ?? {};
    validateResources(r);
    const { hostRoot, segments } = this.placement;
    const madeNow = await makeDirectoriesWithControllers(this.ops, hostRoot, segments);
    try {
      await this.refreshControllers();
      await this.apply(r, true);
    } catch (err) {
      for (const dir of [...madeNow].reverse()) {
        await (dir === this.placement.hostPath ? removeTree(this.ops, dir) : removeIfEmpty(this.ops, dir)).catch(() => {});
      }
      throw err;
    }
    this.made.push(...madeNow);
  }

  async update(resources: Resources): Promise<void> {
    validateResources(resources);
    await this.apply(resources, false);
  }

  /** Fails with the field's name when the controller it needs is not enabled for the container. */
  private need(controller: string, field: string): ControlDir {
    if (!this.controllers.includes(controller)) {
      throw new Unsupported(`${field}: the ${controller} controller is not available in ${this.placement.hostPath} (not enabled by its parent, or absent from the kernel)`);
    }
    return this.dir;
  }

  private async apply(r: Resources, creating: boolean): Promise<void> {
    if (r.cpu?.cpus || r.cpu?.mems) await setCpuset(this.need('cpuset', `linux.resources.cpu.${r.cpu.cpus ? 'cpus' : 'mems'}`), r.cpu);
    if (memoryIsSet(r.memory)) await setMemory(this.need('memory', 'linux.resources.memory'), r.memory, !creating);
    if (cpuIsSet(r.cpu)) await setCpu(this.need('cpu', 'linux.resources.cpu'), r.cpu);
    if (r.pids) await setPids(this.need('pids', 'linux.resources.pids'), r.pids);
    if (ioIsSet(r.blockIO)) await setIo(this.need('io', 'linux.resources.blockIO'), r.blockIO);
    for (const [i, h] of (r.hugepageLimits ?? []).entries()) {
      await this.need('hugetlb', 'linux.resources.hugepageLimits').write(`hugetlb.${h.pageSize}.max`, h.limit, `linux.resources.hugepageLimits[${i}]`);
    }
    // Devices: v2 has no devices files; access control there is an eBPF program attached to the
    // directory, which berth-init cannot load yet. The container's /dev holds only the nodes
    // the spec lists, and without CAP_MKNOD it cannot make others.
    // Last, so that a key such as "cpu.weight" overrides what the fields above derived.
    for (const [key, value] of Object.entries(r.unified ?? {})) {
      const field = `linux.resources.unified["${key}"]`;
      try {
        await this.dir.write(key, value, field);
      } catch (err) {
        if (errnoCode((err as Error).cause) === 'ENOENT') {
          throw new InvalidArgument(`${field}: ${join(this.placement.hostPath, key)} does not exist (unknown file, or its controller is not enabled)`, { cause: err });
        }
        throw err;
      }
    }
  }

  async pids(): Promise<number[]> {
    return [...new Set(await readProcsRecursive(this.ops, this.placement.hostPath))].sort((a, b) => a - b);
  }

  freeze(): Promise<void> {
    return freezer.freeze(this.dir);
  }

  thaw(): Promise<void> {
    return freezer.thaw(this.dir);
  }

  isFrozen(): Promise<boolean> {
    return freezer.isFrozen(this.dir);
  }

  async stats(): Promise<CgroupStats> {
    const stats: CgroupStats = { version: 2, ...emptyStats() };
    // Files of a controller the directory lacks are simply absent: every reader yields zeros.
    stats.memory = await memoryStats(this.dir);
    stats.cpu = await cpuStats(this.dir);
    stats.pids = await pidsStats(this.dir);
    stats.blkio = await ioStats(this.dir);
    return stats;
  }

  oomKillCount(): Promise<number> {
    return oomKills(this.dir);
  }

  oomEventsFile(): string {
    return this.dir.file('memory.events');
  }

  async killAll(signal: NodeJS.Signals | number): Promise<void> {
    // cgroup.kill (Linux 5.14) kills the whole subtree atomically, forks included.
    if ((signal === 'SIGKILL' || signal === 9) && (await this.dir.exists('cgroup.kill'))) {
      await this.dir.write('cgroup.kill', '1', 'cgroup.kill');
      return;
    }
    const canFreeze = await this.dir.exists('cgroup.freeze');
    if (canFreeze) await this.freeze();
    try {
      signalEach(await this.pids(), signal);
    } finally {
      if (canFreeze) await this.thaw();
    }
  }

  async destroy(): Promise<void> {
    await removePlacements(this.ops, [this.placement], this.made);
    this.made = [];
  }
}
