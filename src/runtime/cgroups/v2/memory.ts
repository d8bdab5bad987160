// v2 memory controller: memory.max, memory.low and memory.swap.max, and memory statistics
// reported with v1's meaning (swap counted together with memory).
import { InvalidArgument, errnoCode } from '../../../errors.js';
import type { MemoryResources } from '../../spec/types.js';
import type { ControlDir } from '../files.js';
import type { MemoryEntry, MemoryStats } from '../stats.js';
import { UNLIMITED } from '../stats.js';

const F = 'linux.resources.memory';

/** -1 is "max" in v2's files. */
const limitValue = (n: number): string => (n === -1 ? 'max' : String(n));

/**
 * OCI swap is memory+swap (v1's memsw); memory.swap.max is swap alone. The conversion and its
 * checks are runc's ConvertMemorySwapToCgroupV2Value. 0 means "leave as is".
 */
export function swapMax(m: MemoryResources): number {
  const limit = m.limit ?? 0;
  const swap = m.swap ?? 0;
  if (limit === -1 && swap === 0) return -1;
  if (swap === -1 || swap === 0) return swap;
  if (limit === 0 || limit === -1) {
    throw new InvalidArgument(`${F}.swap: a swap limit needs a memory limit (${F}.limit) on cgroup v2`);
  }
  if (swap < limit) throw new InvalidArgument(`${F}.swap: ${swap} is below ${F}.limit ${limit} (swap counts memory plus swap)`);
  return swap - limit;
}

export function memoryIsSet(m: MemoryResources | undefined): m is MemoryResources {
  if (!m) return false;
  return [m.limit, m.reservation, m.swap].some((v) => v !== undefined && v !== 0);
}

/**
 * kernel and kernelTCP have no v2 counterpart (kernel memory is always accounted with the rest),
 * and neither have swappiness and disableOOMKiller: runc ignores them there as well.
 */
export async function setMemory(dir: ControlDir, m: MemoryResources, checkUsage: boolean): Promise<void> {
  const swap = swapMax(m);
  if (checkUsage && m.checkBeforeUpdate && m.limit !== undefined && m.limit > 0) {
    const usage = await dir.readNumber('memory.current');
    if (usage >= m.limit) throw new InvalidArgument(`${F}.limit: ${m.limit} is not above the current usage of ${usage} bytes`);
  }
  if (swap !== 0) {
    try {
      await dir.write('memory.swap.max', limitValue(swap), `${F}.swap`);
    } catch (err) {
      // Without swap accounting there is no file, and nothing to lift or to switch off.
      if (!(errnoCode((err as Error).cause) === 'ENOENT' && swap === -1)) throw err;
    }
  }
  if (m.limit !== undefined && m.limit !== 0) await dir.write('memory.max', limitValue(m.limit), `${F}.limit`);
  if (m.reservation !== undefined && m.reservation !== 0) {
    await dir.write('memory.low', limitValue(m.reservation), `${F}.reservation`);
  }
}

export async function memoryStats(dir: ControlDir): Promise<MemoryStats> {
  const raw = await dir.readKeyValues('memory.stat');
  const events = await dir.readKeyValues('memory.events');
  const usage: MemoryEntry = {
    usage: await dir.readNumber('memory.current'),
    limit: (await dir.exists('memory.max')) ? await dir.readNumber('memory.max') : UNLIMITED,
    failcnt: events['oom'] ?? 0,
  };
  if (await dir.exists('memory.peak')) usage.max = await dir.readNumber('memory.peak');
  const stats: MemoryStats = { cache: raw['file'] ?? 0, usage, raw, oomKills: events['oom_kill'] ?? 0 };
  if (await dir.exists('memory.swap.current')) {
    // Reported as memory+swap, v1's memsw, as runc does.
    const swapLimit = await dir.readNumber('memory.swap.max');
    const swap: MemoryEntry = {
      usage: (await dir.readNumber('memory.swap.current')) + usage.usage,
      limit: swapLimit === UNLIMITED || usage.limit === UNLIMITED ? UNLIMITED : swapLimit + usage.limit,
    };
    if (usage.max !== undefined && (await dir.exists('memory.swap.peak'))) {
      swap.max = (await dir.readNumber('memory.swap.peak')) + usage.max;
    }
    stats.swap = swap;
  }
  return stats;
}

export async function oomKills(dir: ControlDir): Promise<number> {
  return (await dir.readKeyValues('memory.events'))['oom_kill'] ?? 0;
}
