// v2 cpuset controller. Unlike v1, an empty cpuset.cpus/mems inherits the parent's effective set.
import type { CpuResources } from '../../spec/types.js';
import type { ControlDir } from '../files.js';

export async function setCpuset(dir: ControlDir, c: CpuResources): Promise<void> {
  if (c.cpus) await dir.write('cpuset.cpus', c.cpus, 'linux.resources.cpu.cpus');
  if (c.mems) await dir.write('cpuset.mems', c.mems, 'linux.resources.cpu.mems');
}
