// The Docker stats object made from berth's samples: v1 and v2 cgroup readings as dockerd's
// statsV1/statsV2 shape them, runc's samples (no version), precpu from the previous sample,
// the zeroed object, /proc/stat and /proc/<pid>/net/dev.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { UNLIMITED, type CgroupStats } from '../../../src/runtime/cgroups/index.js';
import {
  ZERO_TIME, cgroupVersion, dockerStats, emptyDockerStats, parseNetDev, parseProcStat, type StatsSample,
} from '../../../src/daemon/engine/container/stats-json.js';

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;
const ident = { id: 'c0ffee', name: '/web' };
const zeroCpu = {
  cpu_usage: { total_usage: 0, usage_in_kernelmode: 0, usage_in_usermode: 0 },
  throttling_data: { periods: 0, throttled_periods: 0, throttled_time: 0 },
};

function v1Stats(): CgroupStats {
  return {
    version: 1,
    cpu: {
      usage: { total: 2_000_000_000, percpu: [1_500_000_000, 500_000_000], kernel: 300_000_000, user: 1_600_000_000 },
      throttling: { periods: 10, throttledPeriods: 2, throttledTime: 5000 },
    },
    memory: {
      cache: 4 * MiB,
      usage: { usage: 30 * MiB, max: 40 * MiB, limit: 64 * MiB, failcnt: 3 },
      swap: { usage: 30 * MiB, max: 40 * MiB, limit: 128 * MiB, failcnt: 0 },
      raw: { cache: 4 * MiB, rss: 26 * MiB, total_cache: 4 * MiB, total_rss: 26 * MiB, total_inactive_file: 3 * MiB, hierarchical_memory_limit: 64 * MiB, hierarchical_memsw_limit: UNLIMITED, swap: 0 },
      oomKills: 0,
    },
    pids: { current: 3, limit: UNLIMITED },
    blkio: {
      ioServiceBytesRecursive: [{ major: 8, minor: 0, op: 'Read', value: 4096 }, { major: 8, minor: 0, op: 'Write', value: 8192 }],
      ioServicedRecursive: [{ major: 8, minor: 0, op: 'Read', value: 1 }],
    },
  };
}

function v2Stats(): CgroupStats {
  return {
    version: 2,
    cpu: {
      usage: { total: 1_500_000, user: 1_000_000, kernel: 500_000 },
      throttling: { periods: 7, throttledPeriods: 2, throttledTime: 30_000 },
    },
    memory: {
      cache: 4096,
      usage: { usage: 20 * MiB, max: 25 * MiB, limit: UNLIMITED, failcnt: 1 },
      raw: { anon: 18 * MiB, file: 2 * MiB, inactive_file: MiB, memory_events_unknown: 5 },
      oomKills: 1,
    },
    pids: { current: 2, limit: 100 },
    blkio: {
      ioServiceBytesRecursive: [{ major: 253, minor: 1, op: 'Read', value: 1 }, { major: 253, minor: 1, op: 'Write', value: 2 }],
      ioServicedRecursive: [{ major: 253, minor: 1, op: 'Read', value: 3 }],
    },
  };
}

const sample = (cgroup: CgroupStats, read: string, systemUsage: number, networks?: StatsSample['networks']): StatsSample => ({
  read, cgroup, system: { usage: systemUsage, onlineCpus: 2 }, hostMemory: 8 * GiB, networks,
});

describe('Docker stats objects', () => {
  it('shapes a v1 sample as dockerd does, with the previous one as precpu', () => {
    const previous = sample(v1Stats(), '2025-01-01T00:00:00.000Z', 1_000_000_000_000);
    previous.cgroup.cpu.usage.total = 1_000_000_000;
    const net = { eth0: { rx_bytes: 1, rx_packets: 2, rx_errors: 0, rx_dropped: 0, tx_bytes: 3, tx_packets: 4, tx_errors: 0, tx_dropped: 0 } };
    const s = dockerStats(ident, sample(v1Stats(), '2025-01-01T00:00:01.000Z', 1_002_000_000_000, net), previous);
    assert.deepEqual(Object.keys(s), ['read', 'preread', 'pids_stats', 'blkio_stats', 'num_procs', 'storage_stats', 'cpu_stats', 'precpu_stats', 'memory_stats', 'name', 'id', 'networks']);
    assert.equal(s.read, '2025-01-01T00:00:01.000Z');
    assert.equal(s.preread, '2025-01-01T00:00:00.000Z');
    assert.deepEqual(s.pids_stats, { current: 3 });
    assert.deepEqual(s.blkio_stats.io_service_bytes_recursive, [{ major: 8, minor: 0, op: 'Read', value: 4096 }, { major: 8, minor: 0, op: 'Write', value: 8192 }]);
    assert.deepEqual(s.blkio_stats.io_serviced_recursive, [{ major: 8, minor: 0, op: 'Read', value: 1 }]);
    assert.deepEqual(s.blkio_stats.sectors_recursive, []);
    assert.deepEqual(s.cpu_stats, {
      cpu_usage: { total_usage: 2_000_000_000, percpu_usage: [1_500_000_000, 500_000_000], usage_in_kernelmode: 300_000_000, usage_in_usermode: 1_600_000_000 },
      system_cpu_usage: 1_002_000_000_000,
      online_cpus: 2,
      throttling_data: { periods: 10, throttled_periods: 2, throttled_time: 5000 },
    });
    assert.equal(s.precpu_stats.cpu_usage.total_usage, 1_000_000_000);
    assert.equal(s.precpu_stats.system_cpu_usage, 1_000_000_000_000);
    assert.equal(s.memory_stats.usage, 30 * MiB);
    assert.equal(s.memory_stats.max_usage, 40 * MiB);
    assert.equal(s.memory_stats.failcnt, 3);
    assert.equal(s.memory_stats.limit, 64 * MiB);
    // dockerd's 32 v1 keys, zero where memory.stat lacks one, and no others.
    assert.equal(Object.keys(s.memory_stats.stats!).length, 32);
    assert.equal(s.memory_stats.stats!['total_inactive_file'], 3 * MiB);
    assert.equal(s.memory_stats.stats!['writeback'], 0);
    assert.equal(s.memory_stats.stats!['swap'], undefined);
    assert.equal(s.memory_stats.stats!['hierarchical_memsw_limit'], 9223372036854771712);
    assert.deepEqual(s.networks, net);
    assert.equal(s.num_procs, 0);
    assert.deepEqual(s.storage_stats, {});

    // The docker CLI's arithmetic on it: CPU % and memory without inactive file pages.
    const cpuPercent = ((s.cpu_stats.cpu_usage.total_usage - s.precpu_stats.cpu_usage.total_usage)
      / (s.cpu_stats.system_cpu_usage! - s.precpu_stats.system_cpu_usage!)) * s.cpu_stats.online_cpus! * 100;
    assert.equal(cpuPercent, 100);
    assert.equal(s.memory_stats.usage! - s.memory_stats.stats!['total_inactive_file']!, 27 * MiB);
  });

  it('shapes a v2 sample as dockerd does: v2 keys, lower-case ops, no max_usage, the host memory as limit', () => {
    const s = dockerStats(ident, sample(v2Stats(), '2025-01-01T00:00:01.000Z', 5000), undefined);
    assert.equal(s.preread, ZERO_TIME);
    assert.deepEqual(s.precpu_stats, zeroCpu);
    assert.deepEqual(s.cpu_stats, {
      cpu_usage: { total_usage: 1_500_000, usage_in_kernelmode: 500_000, usage_in_usermode: 1_000_000 },
      system_cpu_usage: 5000,
      online_cpus: 2,
      throttling_data: { periods: 7, throttled_periods: 2, throttled_time: 30_000 },
    });
    assert.deepEqual(s.blkio_stats, {
      io_service_bytes_recursive: [{ major: 253, minor: 1, op: 'read', value: 1 }, { major: 253, minor: 1, op: 'write', value: 2 }],
      io_serviced_recursive: null, io_queue_recursive: null, io_service_time_recursive: null,
      io_wait_time_recursive: null, io_merged_recursive: null, io_time_recursive: null, sectors_recursive: null,
    });
    assert.deepEqual(Object.keys(s.memory_stats), ['usage', 'stats', 'failcnt', 'limit']);
    assert.equal(s.memory_stats.usage, 20 * MiB);
    assert.equal(s.memory_stats.limit, 8 * GiB);
    assert.equal(s.memory_stats.failcnt, 1);
    assert.equal(Object.keys(s.memory_stats.stats!).length, 31);
    assert.equal(s.memory_stats.stats!['inactive_file'], MiB);
    assert.equal(s.memory_stats.stats!['anon'], 18 * MiB);
    assert.equal(s.memory_stats.stats!['memory_events_unknown'], undefined);
    assert.deepEqual(s.pids_stats, { current: 2, limit: 100 });
    assert.equal('networks' in s, false);
  });

  it('reads runc samples, which carry no version, by their counters', () => {
    const v1 = v1Stats();
    delete v1.version;
    const v2 = v2Stats();
    delete v2.version;
    assert.equal(cgroupVersion(v1), 1);
    assert.equal(cgroupVersion(v2), 2);
    // runc's "no limit" (2^64-1 as a JS number) is above the host's memory too.
    v2.memory.usage.limit = 18446744073709552000;
    assert.equal(dockerStats(ident, sample(v2, 'now', 1), undefined).memory_stats.limit, 8 * GiB);
    // A sample missing whole sections (an older runc) still shapes.
    const partial = { cpu: v1.cpu } as unknown as CgroupStats;
    const s = dockerStats(ident, sample(partial, 'now', 1), undefined);
    assert.equal(s.cpu_stats.cpu_usage.total_usage, 2_000_000_000);
    assert.deepEqual(s.pids_stats, {});
  });

  it('gives a stopped container the zeroed object, keeping the previous sample as precpu', () => {
    assert.deepEqual(emptyDockerStats(ident), {
      read: ZERO_TIME, preread: ZERO_TIME, pids_stats: {},
      blkio_stats: {
        io_service_bytes_recursive: null, io_serviced_recursive: null, io_queue_recursive: null, io_service_time_recursive: null,
        io_wait_time_recursive: null, io_merged_recursive: null, io_time_recursive: null, sectors_recursive: null,
      },
      num_procs: 0, storage_stats: {}, cpu_stats: zeroCpu, precpu_stats: zeroCpu, memory_stats: {}, name: '/web', id: 'c0ffee',
    });
    assert.deepEqual(JSON.parse(JSON.stringify(dockerStats(ident, undefined, undefined))), emptyDockerStats(ident));
    const afterStop = dockerStats(ident, undefined, sample(v2Stats(), '2025-01-01T00:00:01.000Z', 9));
    assert.equal(afterStop.read, ZERO_TIME);
    assert.equal(afterStop.preread, '2025-01-01T00:00:01.000Z');
    assert.equal(afterStop.precpu_stats.cpu_usage.total_usage, 1_500_000);
    assert.deepEqual(afterStop.cpu_stats, zeroCpu);
  });

  it('reads /proc/stat as dockerd: seven fields of the cpu line in ns, one online CPU per cpuN line', () => {
    const text = 'cpu  920055 10 287565 4977720 26914 1 39052 5914 0 0\ncpu0 447450 0 130885 2523707 4996 0 18211 2915 0 0\n'
      + 'cpu1 472604 0 156679 2454013 21918 0 20841 2998 0 0\nintr 1 2 3\nctxt 5\n';
    assert.deepEqual(parseProcStat(text), { usage: (920055 + 10 + 287565 + 4977720 + 26914 + 1 + 39052) * 10_000_000, onlineCpus: 2 });
    assert.deepEqual(parseProcStat(''), { usage: 0, onlineCpus: 0 });
  });

  it('reads /proc/<pid>/net/dev without loopback, limited to the container\'s interfaces', () => {
    const text = [
      'Inter-|   Receive                                                |  Transmit',
      ' face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed',
      '    lo:     840      10    0    0    0     0          0         0      840      10    0    0    0     0       0          0',
      '  eth0:    1402      15    1    2    0     0          0         0      472       6    3    4    0     0       0          0',
      'tunl0:       0       0    0    0    0     0          0         0        0       0    0    0    0     0       0          0',
    ].join('\n');
    const eth0 = { rx_bytes: 1402, rx_packets: 15, rx_errors: 1, rx_dropped: 2, tx_bytes: 472, tx_packets: 6, tx_errors: 3, tx_dropped: 4 };
    assert.deepEqual(parseNetDev(text, new Set(['eth0'])), { eth0 });
    assert.deepEqual(Object.keys(parseNetDev(text)), ['eth0', 'tunl0']);
  });
});
