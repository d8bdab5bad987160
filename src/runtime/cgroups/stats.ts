// The statistics a cgroup reports, shaped like the "data" object of runc's `events --stats`
// (field names in camelCase). Every number is a JS number: byte counts are exact up to 2^53,
// which no real counter reaches; limits that mean "no limit" are reported as UNLIMITED.

/**
 * What a limit reads as when there is none: v2's "max", v1's page-rounded LONG_MAX
 * (9223372036854771712 with 4 KiB pages), and a cpu quota of -1. One sentinel, exact in JSON,
 * so that consumers need a single comparison whatever the hierarchy.
 */
export const UNLIMITED = Number.MAX_SAFE_INTEGER;

export interface CpuUsage {
  /** Total CPU time consumed, in nanoseconds. */
  total: number;
  /** Per-CPU time in nanoseconds (v1 cpuacct.usage_percpu); v2 has no per-CPU breakdown. */
  percpu?: number[];
  /** Time spent in the kernel, in nanoseconds. */
  kernel: number;
  /** Time spent in user space, in nanoseconds. */
  user: number;
}

export interface CpuThrottling {
  periods: number;
  throttledPeriods: number;
  /** Nanoseconds. */
  throttledTime: number;
}

export interface CpuStats {
  usage: CpuUsage;
  throttling: CpuThrottling;
}

export interface MemoryEntry {
  usage: number;
  /** Peak usage (v1 max_usage_in_bytes, v2 memory.peak when the kernel has it). */
  max?: number;
  limit: number;
  /** How often the limit was hit: v1's failcnt; on v2 memory.events "oom", as dockerd reads it. */
  failcnt?: number;
}

export interface MemoryStats {
  /** Page cache: memory.stat "cache" (v1) or "file" (v2). */
  cache: number;
  usage: MemoryEntry;
  /**
   * Memory plus swap, as v1's memory.memsw.* reports it. On v2 the swap figures are converted
   * to the same meaning (swap + memory), as runc does, so that one consumer reads both.
   * Absent when the kernel does not account swap.
   */
  swap?: MemoryEntry;
  /** Every counter of memory.stat, unchanged. */
  raw: Record<string, number>;
  /** Processes killed by the OOM killer in this cgroup. */
  oomKills: number;
}

export interface PidsStats {
  current: number;
  /** pids.max; UNLIMITED for "max". */
  limit: number;
}

export interface BlkioEntry {
  major: number;
  minor: number;
  /** "Read", "Write", "Sync", "Async", "Discard" or "Total" as v1 names them. */
  op: string;
  value: number;
}

export interface BlkioStats {
  ioServiceBytesRecursive: BlkioEntry[];
  ioServicedRecursive: BlkioEntry[];
}

export interface CgroupStats {
  /**
   * The hierarchy the sample was read from: the counters of `memory.raw` and the blkio entries
   * differ between v1 and v2. Absent from runtimes that do not say (runc's `events --stats`).
   */
  version?: 1 | 2;
  cpu: CpuStats;
  memory: MemoryStats;
  pids: PidsStats;
  blkio: BlkioStats;
}

/** Statistics with every counter at zero: what a controller that is absent contributes. */
export function emptyStats(): CgroupStats {
  return {
    cpu: {
      usage: { total: 0, kernel: 0, user: 0 },
      throttling: { periods: 0, throttledPeriods: 0, throttledTime: 0 },
    },
    memory: { cache: 0, usage: { usage: 0, limit: 0 }, raw: {}, oomKills: 0 },
    pids: { current: 0, limit: 0 },
    blkio: { ioServiceBytesRecursive: [], ioServicedRecursive: [] },
  };
}
