// v1 memory controller: limits and the statistics of memory.* files.
import { InvalidArgument, Unsupported } from '../../../errors.js';
import type { MemoryResources } from '../../spec/types.js';
import type { ControlDir } from '../files.js';
import type { MemoryEntry, MemoryStats } from '../stats.js';

const F = 'linux.resources.memory';
const LIMIT = 'memory.limit_in_bytes';
const MEMSW = 'memory.memsw.limit_in_bytes';

/**
 * Applies the memory limits. OCI swap is memory+swap, exactly v1's memsw, which the kernel keeps
 * >= the memory limit at every moment: the order of the two writes depends on where the limits
 * go, as in runc.
 */
export async function setMemory(dir: ControlDir, m: MemoryResources, checkUsage: boolean): Promise<void> {
  let limit = m.limit ?? 0;
  let swap = m.swap ?? 0;
  const accountsSwap = await dir.exists(MEMSW);
  // "No memory limit" without a word about swap means no swap limit either (runc's reading).
  if (limit === -1 && swap === 0 && accountsSwap) swap = -1;
  if (swap !== 0 && !accountsSwap) {
    // Without swap accounting there is no swap limit to lift; one to set cannot be honoured.
    if (swap !== -1) throw new Unsupported(`${F}.swap: the host does not account swap (no ${MEMSW}; boot with swapaccount=1)`);
    swap = 0;
  }
  if (checkUsage && m.checkBeforeUpdate && limit > 0) {
    const usage = await dir.readNumber('memory.usage_in_bytes');
    if (usage >= limit) throw new InvalidArgument(`${F}.limit: ${limit} is not above the current usage of ${usage} bytes`);
  }

  if (limit !== 0 && swap !== 0) {
    const currentLimit = await dir.readNumber(LIMIT);
    if (swap === -1 || currentLimit < swap) {
      // Raising: memsw first so that the new memory limit fits under it.
      await dir.write(MEMSW, swap, `${F}.swap`);
      await dir.write(LIMIT, limit, `${F}.limit`);
    } else {
      // Lowering: the memory limit first so that the new memsw stays above it.
      await dir.write(LIMIT, limit, `${F}.limit`);
      await dir.write(MEMSW, swap, `${F}.swap`);
    }
  } else {
    if (limit !== 0) await dir.write(LIMIT, limit, `${F}.limit`);
    if (swap !== 0) await dir.write(MEMSW, swap, `${F}.swap`);
  }

  if (m.reservation !== undefined && m.reservation !== 0) {
    await dir.write('memory.soft_limit_in_bytes', m.reservation, `${F}.reservation`);
  }
  // Kernel memory limits are deprecated: recent kernels accept the write and ignore it, newer
  // ones drop the files. Write them where they exist; never fail for their absence.
  if (m.kernel !== undefined && m.kernel !== 0 && (await dir.exists('memory.kmem.limit_in_bytes'))) {
    await dir.write('memory.kmem.limit_in_bytes', m.kernel, `${F}.kernel`);
  }
  if (m.kernelTCP !== undefined && m.kernelTCP !== 0 && (await dir.exists('memory.kmem.tcp.limit_in_bytes'))) {
    await dir.write('memory.kmem.tcp.limit_in_bytes', m.kernelTCP, `${F}.kernelTCP`);
  }
  if (m.swappiness !== undefined) await dir.write('memory.swappiness', m.swappiness, `${F}.swappiness`);
  if (m.disableOOMKiller) await dir.write('memory.oom_control', '1', `${F}.disableOOMKiller`);
}

/** Whether a memory section asks for any write at all. */
export function memoryIsSet(m: MemoryResources | undefined): m is MemoryResources {
  if (!m) return false;
  return [m.limit, m.reservation, m.swap, m.kernel, m.kernelTCP].some((v) => v !== undefined && v !== 0)
    || m.swappiness !== undefined || m.disableOOMKiller === true;
}

async function entry(dir: ControlDir, prefix: string): Promise<MemoryEntry> {
  return {
    usage: await dir.readNumber(`${prefix}.usage_in_bytes`),
    max: await dir.readNumber(`${prefix}.max_usage_in_bytes`),
    limit: await dir.readNumber(`${prefix}.limit_in_bytes`),
    failcnt: await dir.readNumber(`${prefix}.failcnt`),
  };
}

export async function memoryStats(dir: ControlDir): Promise<MemoryStats> {
  const raw = await dir.readKeyValues('memory.stat');
  const oom = await dir.readKeyValues('memory.oom_control');
  const stats: MemoryStats = {
    cache: raw['cache'] ?? 0,
    usage: await entry(dir, 'memory'),
    raw,
    oomKills: oom['oom_kill'] ?? 0,
  };
  if (await dir.exists('memory.memsw.usage_in_bytes')) stats.swap = await entry(dir, 'memory.memsw');
  return stats;
}

export async function oomKills(dir: ControlDir): Promise<number> {
  return (await dir.readKeyValues('memory.oom_control'))['oom_kill'] ?? 0;
}
