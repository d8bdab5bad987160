// v1 cpuacct controller: CPU time consumed, in total, per CPU and split user/kernel.
import type { ControlDir } from '../files.js';
import { parseCounter } from '../files.js';
import type { CpuUsage } from '../stats.js';

/**
 * cpuacct.stat counts in USER_HZ ticks, which is 100 on every Linux ABI berth runs on
 * (sysconf(_SC_CLK_TCK)); one tick is 10 ms.
 */
export const NANOSECONDS_PER_TICK = 1_000_000_000 / 100;

export async function cpuUsage(dir: ControlDir): Promise<CpuUsage> {
  const percpuText = await dir.read('cpuacct.usage_percpu');
  const ticks = await dir.readKeyValues('cpuacct.stat');
  const usage: CpuUsage = {
    total: await dir.readNumber('cpuacct.usage'),
    kernel: (ticks['system'] ?? 0) * NANOSECONDS_PER_TICK,
    user: (ticks['user'] ?? 0) * NANOSECONDS_PER_TICK,
  };
  if (percpuText !== undefined) usage.percpu = percpuText.trim().split(/\s+/).filter(Boolean).map(parseCounter);
  return usage;
}
