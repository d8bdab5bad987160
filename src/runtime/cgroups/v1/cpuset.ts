// v1 cpuset controller. A new v1 cpuset directory starts with empty cpus and mems, and a process
// cannot join it until both are set: every directory on the path inherits its parent's first.
import { dirname, join } from 'node:path';
import type { CpuResources } from '../../spec/types.js';
import { ControlDir } from '../files.js';
import type { CgroupfsOps } from '../directories.js';

const F = 'linux.resources.cpu';

/** Fills empty cpuset.cpus/cpuset.mems from the parent, top-down from `root` to `root/…segments`. */
export async function inheritCpusets(ops: CgroupfsOps, root: string, segments: string[]): Promise<void> {
  let current = root;
  for (const segment of segments) {
    current = join(current, segment);
    const dir = new ControlDir(ops, current);
    const parent = new ControlDir(ops, dirname(current));
    for (const file of ['cpuset.cpus', 'cpuset.mems']) {
      if ((await dir.read(file))?.trim()) continue;
      const inherited = (await parent.read(file))?.trim();
      if (inherited) await dir.write(file, inherited, `${F}.${file === 'cpuset.cpus' ? 'cpus' : 'mems'}`);
    }
  }
}

export function cpusetIsSet(c: CpuResources | undefined): boolean {
  return Boolean(c?.cpus || c?.mems);
}

export async function setCpuset(dir: ControlDir, c: CpuResources): Promise<void> {
  if (c.cpus) await dir.write('cpuset.cpus', c.cpus, `${F}.cpus`);
  if (c.mems) await dir.write('cpuset.mems', c.mems, `${F}.mems`);
}
