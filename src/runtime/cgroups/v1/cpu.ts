// v1 cpu controller: CFS shares, quota and period, realtime budget, and throttling statistics.
import type { CpuResources } from '../../spec/types.js';
import { errnoCode } from '../../../errors.js';
import type { ControlDir } from '../files.js';
import type { CpuThrottling } from '../stats.js';

const F = 'linux.resources.cpu';

export function cpuIsSet(c: CpuResources | undefined): c is CpuResources {
  if (!c) return false;
  return [c.shares, c.quota, c.period, c.burst, c.realtimeRuntime, c.realtimePeriod].some((v) => v !== undefined && v !== 0)
    || c.idle !== undefined;
}

export async function setCpu(dir: ControlDir, c: CpuResources): Promise<void> {
  if (c.shares) await dir.write('cpu.shares', c.shares, `${F}.shares`);

  // A shorter period can make old-quota/new-period exceed the parent's bandwidth, which the
  // kernel refuses; then write the quota first and the period after it (runc does the same).
  let periodPending = false;
  if (c.period) {
    try {
      await dir.write('cpu.cfs_period_us', c.period, `${F}.period`);
    } catch (err) {
      if (errnoCode((err as Error).cause) !== 'EINVAL' || !c.quota) throw err;
      periodPending = true;
    }
  }
  if (c.quota) {
    await dir.write('cpu.cfs_quota_us', c.quota, `${F}.quota`);
    if (periodPending) await dir.write('cpu.cfs_period_us', c.period!, `${F}.period`);
  }
  if (c.burst !== undefined && c.burst !== 0) await dir.write('cpu.cfs_burst_us', c.burst, `${F}.burst`);

  // The runtime cannot exceed the period: write the period first.
  if (c.realtimePeriod) await dir.write('cpu.rt_period_us', c.realtimePeriod, `${F}.realtimePeriod`);
  if (c.realtimeRuntime) await dir.write('cpu.rt_runtime_us', c.realtimeRuntime, `${F}.realtimeRuntime`);
  if (c.idle !== undefined) await dir.write('cpu.idle', c.idle, `${F}.idle`);
}

export async function throttlingStats(dir: ControlDir): Promise<CpuThrottling> {
  const stat = await dir.readKeyValues('cpu.stat');
  return {
    periods: stat['nr_periods'] ?? 0,
    throttledPeriods: stat['nr_throttled'] ?? 0,
    throttledTime: stat['throttled_time'] ?? 0,
  };
}
