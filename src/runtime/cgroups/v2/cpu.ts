// v2 cpu controller: cpu.weight (from v1 shares), cpu.max, cpu.max.burst, cpu.idle, and the
// usage and throttling of cpu.stat.
import { Unsupported } from '../../../errors.js';
import type { CpuResources } from '../../spec/types.js';
import type { ControlDir } from '../files.js';
import type { CpuStats } from '../stats.js';

const F = 'linux.resources.cpu';
const DEFAULT_PERIOD = 100000;

/** runc's mapping of v1 shares [2, 262144] onto v2 weights [1, 10000]. */
export function sharesToWeight(shares: number): number {
  return 1 + Math.floor(((shares - 2) * 9999) / 262142);
}

export function cpuIsSet(c: CpuResources | undefined): c is CpuResources {
  if (!c) return false;
  return [c.shares, c.quota, c.period, c.burst, c.realtimeRuntime, c.realtimePeriod].some((v) => v !== undefined && v !== 0)
    || c.idle !== undefined;
}

export async function setCpu(dir: ControlDir, c: CpuResources): Promise<void> {
  if (c.realtimeRuntime || c.realtimePeriod) {
    const field = c.realtimeRuntime ? `${F}.realtimeRuntime` : `${F}.realtimePeriod`;
    throw new Unsupported(`${field}: cgroup v2 has no realtime CPU budget`);
  }
  if (c.shares) await dir.write('cpu.weight', sharesToWeight(c.shares), `${F}.shares`);
  if (c.idle !== undefined) await dir.write('cpu.idle', c.idle, `${F}.idle`);
  if (c.quota || c.period) {
    // cpu.max holds both numbers: keep the one the update leaves out.
    const [currentQuota = 'max', currentPeriod = String(DEFAULT_PERIOD)] = ((await dir.read('cpu.max')) ?? '').trim().split(/\s+/).filter(Boolean);
    const quota = c.quota ? (c.quota < 0 ? 'max' : String(c.quota)) : currentQuota;
    const period = c.period ? String(c.period) : currentPeriod;
    await dir.write('cpu.max', `${quota} ${period}`, c.quota ? `${F}.quota` : `${F}.period`);
  }
  if (c.burst !== undefined && c.burst !== 0) await dir.write('cpu.max.burst', c.burst, `${F}.burst`);
}

export async function cpuStats(dir: ControlDir): Promise<CpuStats> {
  const stat = await dir.readKeyValues('cpu.stat');
  const us = (key: string) => (stat[key] ?? 0) * 1000;
  return {
    usage: { total: us('usage_usec'), user: us('user_usec'), kernel: us('system_usec') },
    throttling: {
      periods: stat['nr_periods'] ?? 0,
      throttledPeriods: stat['nr_throttled'] ?? 0,
      throttledTime: us('throttled_usec'),
    },
  };
}
