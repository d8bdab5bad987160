// The Docker Engine API's stats object (moby's container.StatsResponse) made from berth's
// samples: cgroup counters as the runtime library reads them (v1 or v2), the host's CPU time
// from /proc/stat and the container's interfaces from its network namespace. Pure: the sampling
// itself is stats.ts's. Fields, units and omissions follow dockerd's statsV1/statsV2 and its
// stats collector, so that the docker CLI's arithmetic (CPU %, memory without the page cache,
// block and network I/O) comes out as it does against dockerd.
import type { BlkioEntry, CgroupStats } from '../../../runtime/cgroups/index.js';
import { UNLIMITED } from '../../../runtime/cgroups/index.js';

/** Go's zero time.Time, as dockerd writes `read`/`preread` of an empty sample. */
export const ZERO_TIME = '0001-01-01T00:00:00Z';

/** What /proc/stat says of the host: its CPU time in nanoseconds and its online CPUs. */
export interface SystemCpu {
  usage: number;
  onlineCpus: number;
}

export interface DockerNetworkStats {
  rx_bytes: number;
  rx_packets: number;
  rx_errors: number;
  rx_dropped: number;
  tx_bytes: number;
  tx_packets: number;
  tx_errors: number;
  tx_dropped: number;
}

/** One reading of a running container, taken at `read`. */
export interface StatsSample {
  /** RFC 3339 time of the reading. */
  read: string;
  cgroup: CgroupStats;
  system: SystemCpu;
  /** The host's memory (MemTotal), reported as the limit of a container without one. */
  hostMemory: number;
  /** By interface name; undefined when the container has no network of its own (none, host). */
  networks?: Record<string, DockerNetworkStats> | undefined;
}

export interface DockerBlkioEntry { major: number; minor: number; op: string; value: number }

export interface DockerCpuStats {
  cpu_usage: {
    total_usage: number;
    percpu_usage?: number[];
    usage_in_kernelmode: number;
    usage_in_usermode: number;
  };
  system_cpu_usage?: number;
  online_cpus?: number;
  throttling_data: { periods: number; throttled_periods: number; throttled_time: number };
}

export interface DockerMemoryStats {
  usage?: number;
  max_usage?: number;
  stats?: Record<string, number>;
  failcnt?: number;
  limit?: number;
}

type BlkioList = DockerBlkioEntry[] | null;

export interface DockerStats {
  read: string;
  preread: string;
  pids_stats: { current?: number; limit?: number };
  blkio_stats: {
    io_service_bytes_recursive: BlkioList;
    io_serviced_recursive: BlkioList;
    io_queue_recursive: BlkioList;
    io_service_time_recursive: BlkioList;
    io_wait_time_recursive: BlkioList;
    io_merged_recursive: BlkioList;
    io_time_recursive: BlkioList;
    sectors_recursive: BlkioList;
  };
  num_procs: number;
  storage_stats: Record<string, never>;
  cpu_stats: DockerCpuStats;
  precpu_stats: DockerCpuStats;
  memory_stats: DockerMemoryStats;
  name: string;
  id: string;
  networks?: Record<string, DockerNetworkStats>;
}

/** The memory.stat counters dockerd reports for cgroup v1 (containerd's MemoryStat fields). */
const V1_MEMORY_KEYS = [
  'cache', 'rss', 'rss_huge', 'mapped_file', 'dirty', 'writeback', 'pgpgin', 'pgpgout', 'pgfault', 'pgmajfault',
  'inactive_anon', 'active_anon', 'inactive_file', 'active_file', 'unevictable',
  'hierarchical_memory_limit', 'hierarchical_memsw_limit',
  'total_cache', 'total_rss', 'total_rss_huge', 'total_mapped_file', 'total_dirty', 'total_writeback',
  'total_pgpgin', 'total_pgpgout', 'total_pgfault', 'total_pgmajfault', 'total_inactive_anon',
  'total_active_anon', 'total_inactive_file', 'total_active_file', 'total_unevictable',
];

/** ... and for cgroup v2 ("not compatible with v1", as dockerd says). */
const V2_MEMORY_KEYS = [
  'anon', 'file', 'kernel_stack', 'slab', 'sock', 'shmem', 'file_mapped', 'file_dirty', 'file_writeback', 'anon_thp',
  'inactive_anon', 'active_anon', 'inactive_file', 'active_file', 'unevictable', 'slab_reclaimable',
  'slab_unreclaimable', 'pgfault', 'pgmajfault', 'workingset_refault', 'workingset_activate',
  'workingset_nodereclaim', 'pgrefill', 'pgscan', 'pgsteal', 'pgactivate', 'pgdeactivate', 'pglazyfree',
  'pglazyfreed', 'thp_fault_alloc', 'thp_collapse_alloc',
];

/** v1's page-rounded "no limit" as the kernel writes it in memory.stat (2^63 - 4096). */
const V1_NO_LIMIT = 9223372036854771712;

/** The zero CPUStats dockerd writes for a missing sample (omitempty drops the rest). */
function zeroCpu(): DockerCpuStats {
  return {
    cpu_usage: { total_usage: 0, usage_in_kernelmode: 0, usage_in_usermode: 0 },
    throttling_data: { periods: 0, throttled_periods: 0, throttled_time: 0 },
  };
}

/** The object dockerd answers for a container that is not running: name and id, all else zero. */
export function emptyDockerStats(ident: { id: string; name: string }): DockerStats {
  return {
    read: ZERO_TIME,
    preread: ZERO_TIME,
    pids_stats: {},
    blkio_stats: {
      io_service_bytes_recursive: null, io_serviced_recursive: null, io_queue_recursive: null,
      io_service_time_recursive: null, io_wait_time_recursive: null, io_merged_recursive: null,
      io_time_recursive: null, sectors_recursive: null,
    },
    num_procs: 0,
    storage_stats: {},
    cpu_stats: zeroCpu(),
    precpu_stats: zeroCpu(),
    memory_stats: {},
    name: ident.name,
    id: ident.id,
  };
}

/** v1 or v2: as the library says, else guessed from counters only one of them has (runc's samples). */
export function cgroupVersion(stats: CgroupStats): 1 | 2 {
  if (stats.version) return stats.version;
  const raw = stats.memory?.raw ?? {};
  if ('total_cache' in raw || 'hierarchical_memory_limit' in raw || (stats.cpu?.usage?.percpu?.length ?? 0) > 0) return 1;
  return 'anon' in raw || 'file' in raw ? 2 : 1;
}

function cpuStats(sample: StatsSample): DockerCpuStats {
  const usage = sample.cgroup.cpu?.usage;
  const throttling = sample.cgroup.cpu?.throttling;
  // Keys in the order dockerd's encoder writes them; percpu_usage is v1's cpuacct.usage_percpu.
  return {
    cpu_usage: {
      total_usage: usage?.total ?? 0,
      ...(usage?.percpu?.length ? { percpu_usage: usage.percpu } : {}),
      usage_in_kernelmode: usage?.kernel ?? 0,
      usage_in_usermode: usage?.user ?? 0,
    },
    ...(sample.system.usage > 0 ? { system_cpu_usage: sample.system.usage } : {}),
    ...(sample.system.onlineCpus > 0 ? { online_cpus: sample.system.onlineCpus } : {}),
    throttling_data: {
      periods: throttling?.periods ?? 0,
      throttled_periods: throttling?.throttledPeriods ?? 0,
      throttled_time: throttling?.throttledTime ?? 0,
    },
  };
}

function memoryStats(sample: StatsSample, version: 1 | 2): DockerMemoryStats {
  const memory = sample.cgroup.memory;
  const raw = memory?.raw ?? {};
  const stats: Record<string, number> = {};
  for (const key of version === 1 ? V1_MEMORY_KEYS : V2_MEMORY_KEYS) {
    const value = raw[key] ?? 0;
    // The library reads "no limit" as UNLIMITED; dockerd passes the kernel's number on.
    stats[key] = key.startsWith('hierarchical_') && value >= UNLIMITED ? V1_NO_LIMIT : value;
  }
  const usage = memory?.usage;
  // An unlimited container (or one limited above the host's memory) reports the host's memory.
  let limit = usage?.limit ?? 0;
  if (sample.hostMemory > 0 && limit > sample.hostMemory) limit = sample.hostMemory;
  const shaped: DockerMemoryStats = {};
  if (usage?.usage) shaped.usage = usage.usage;
  // v2 has no max_usage in dockerd's output ("MaxUsage is not supported").
  if (version === 1 && usage?.max) shaped.max_usage = usage.max;
  shaped.stats = stats;
  if (usage?.failcnt) shaped.failcnt = usage.failcnt;
  if (limit) shaped.limit = limit;
  return shaped;
}

const entries = (list: BlkioEntry[] | undefined): DockerBlkioEntry[] =>
  (list ?? []).map((e) => ({ major: e.major, minor: e.minor, op: e.op, value: e.value }));

function blkioStats(sample: StatsSample, version: 1 | 2): DockerStats['blkio_stats'] {
  const blkio = sample.cgroup.blkio;
  if (version === 2) {
    // dockerd's v2 reading: io.stat's rbytes/wbytes as "read"/"write", nothing else.
    const bytes = entries(blkio?.ioServiceBytesRecursive).map((e) => ({ ...e, op: e.op.toLowerCase() }));
    return {
      io_service_bytes_recursive: bytes.length ? bytes : null, io_serviced_recursive: null, io_queue_recursive: null,
      io_service_time_recursive: null, io_wait_time_recursive: null, io_merged_recursive: null,
      io_time_recursive: null, sectors_recursive: null,
    };
  }
  return {
    io_service_bytes_recursive: entries(blkio?.ioServiceBytesRecursive),
    io_serviced_recursive: entries(blkio?.ioServicedRecursive),
    io_queue_recursive: [], io_service_time_recursive: [], io_wait_time_recursive: [],
    io_merged_recursive: [], io_time_recursive: [], sectors_recursive: [],
  };
}

/**
 * One stats object: `current` shaped as Docker's, `previous` (the sample before it, or none)
 * as its precpu_stats and preread. A missing `current` is a container that is not running.
 */
export function dockerStats(ident: { id: string; name: string }, current: StatsSample | undefined, previous: StatsSample | undefined): DockerStats {
  const result = emptyDockerStats(ident);
  if (previous) {
    result.preread = previous.read;
    result.precpu_stats = cpuStats(previous);
  }
  if (!current) return result;
  const version = cgroupVersion(current.cgroup);
  const pids = current.cgroup.pids;
  result.read = current.read;
  result.pids_stats = {};
  if (pids?.current) result.pids_stats.current = pids.current;
  // "A Limit of 0 means that there is no limit": dockerd omits it.
  if (pids?.limit && pids.limit < UNLIMITED) result.pids_stats.limit = pids.limit;
  result.blkio_stats = blkioStats(current, version);
  result.cpu_stats = cpuStats(current);
  result.memory_stats = memoryStats(current, version);
  if (current.networks && Object.keys(current.networks).length > 0) result.networks = current.networks;
  return result;
}

/** USER_HZ: /proc/stat counts in ticks of 10 ms, as dockerd assumes too. */
const NANOSECONDS_PER_TICK = 1_000_000_000 / 100;

/**
 * /proc/stat as dockerd's getSystemCPUUsage reads it: the first seven fields of the "cpu" line
 * (user nice system idle iowait irq softirq) in nanoseconds, and one online CPU per "cpuN" line.
 */
export function parseProcStat(text: string): SystemCpu {
  let usage = 0;
  let onlineCpus = 0;
  for (const line of text.split('\n')) {
    if (line.length < 4 || !line.startsWith('cpu')) break;
    if (line[3] === ' ') {
      const fields = line.trim().split(/\s+/).slice(1, 8);
      usage = fields.reduce((sum, f) => sum + (Number(f) || 0), 0) * NANOSECONDS_PER_TICK;
    } else if (line[3]! >= '0' && line[3]! <= '9') {
      onlineCpus++;
    }
  }
  return { usage, onlineCpus };
}

/**
 * /proc/<pid>/net/dev: the counters of each interface in the container's network namespace.
 * `only` limits them to the container's own interfaces; loopback is never reported.
 */
export function parseNetDev(text: string, only?: ReadonlySet<string>): Record<string, DockerNetworkStats> {
  const result: Record<string, DockerNetworkStats> = {};
  for (const line of text.split('\n')) {
    const colon = line.indexOf(':');
    if (colon < 0) continue;
    const name = line.slice(0, colon).trim();
    if (!name || name === 'lo' || name.includes('|') || (only && !only.has(name))) continue;
    const f = line.slice(colon + 1).trim().split(/\s+/).map((v) => Number(v) || 0);
    if (f.length < 16) continue;
    // Receive: bytes packets errs drop fifo frame compressed multicast; Transmit: bytes packets errs drop ...
    result[name] = {
      rx_bytes: f[0]!, rx_packets: f[1]!, rx_errors: f[2]!, rx_dropped: f[3]!,
      tx_bytes: f[8]!, tx_packets: f[9]!, tx_errors: f[10]!, tx_dropped: f[11]!,
    };
  }
  return result;
}
