// HostConfig's resource fields → linux.resources, with the checks (and wording) of moby's
// verifyPlatformContainerResources and the defaults of adaptContainerSettings.
import { availableParallelism } from 'node:os';
import { InvalidArgument } from '../../../../errors.js';
import type { HostConfig, ThrottleDevice as DockerThrottle, WeightDevice as DockerWeight } from '../../../../api/types/container-config.js';
import type { BlockIOResources, CpuResources, MemoryResources, Resources, ThrottleDevice, WeightDevice } from '../../../../runtime/spec/types.js';

/** linuxMinMemory: the smallest memory limit Docker accepts, 6 MiB. */
export const minMemory = 6 * 1024 * 1024;

/** The CFS period Docker uses to express NanoCpus: 100 ms. */
export const nanoCpusPeriod = 100_000;

export interface ResourceHost {
  /** Whether the host accounts swap (cgroup v2, or v1 with memory.memsw.*). */
  swapAccounting: boolean;
  /** How many CPUs NanoCpus may ask for. */
  cpus?: number;
  /** major:minor of a host block device, for the Blkio*Device fields. */
  blockDevice?: (path: string) => { major: number; minor: number };
}

const CPUSET = /^(\d+(-\d+)?)(,\d+(-\d+)?)*$/;

export function buildResources(h: HostConfig, host: ResourceHost): Resources {
  const resources: Resources = {};
  const memory: MemoryResources = {};
  const mem = h.Memory ?? 0;
  let swap = h.MemorySwap ?? 0;
  if (mem !== 0 && mem < minMemory) throw new InvalidArgument('Minimum memory limit allowed is 6MB');
  if (mem > 0 && swap > 0 && swap < mem) throw new InvalidArgument('Minimum memoryswap limit should be larger than memory limit, see usage');
  if (mem === 0 && swap > 0) throw new InvalidArgument('You should always set the Memory limit when using Memoryswap limit, see usage');
  const reservation = h.MemoryReservation ?? 0;
  if (reservation > 0 && reservation < minMemory) throw new InvalidArgument('Minimum memory reservation allowed is 6MB');
  if (mem > 0 && reservation > 0 && mem < reservation) {
    throw new InvalidArgument('Minimum memory limit can not be less than memory reservation limit, see usage');
  }
  const swappiness = h.MemorySwappiness;
  if (swappiness !== undefined && swappiness !== null && swappiness !== -1 && (swappiness < 0 || swappiness > 100)) {
    throw new InvalidArgument(`Invalid value: ${swappiness}, valid memory swappiness range is 0-100`);
  }
  if (host.swapAccounting) {
    // Docker's default: as much swap as memory (memory+swap = twice the limit).
    if (mem > 0 && swap === 0) swap = mem * 2;
  } else {
    // Docker warns "Memory limited without swap." and drops the swap limit.
    swap = 0;
  }
  if (mem > 0) memory.limit = mem;
  if (swap !== 0) memory.swap = swap;
  if (reservation > 0) memory.reservation = reservation;
  if (swappiness !== undefined && swappiness !== null && swappiness !== -1) memory.swappiness = swappiness;
  if (h.OomKillDisable) memory.disableOOMKiller = true;
  if (h.KernelMemoryTCP) memory.kernelTCP = h.KernelMemoryTCP;
  if (Object.keys(memory).length) resources.memory = memory;

  const cpu: CpuResources = {};
  const nano = h.NanoCpus ?? 0;
  const cpus = host.cpus ?? availableParallelism();
  if (nano > 0 && (h.CpuPeriod ?? 0) > 0) throw new InvalidArgument('Conflicting options: Nano CPUs and CPU Period cannot both be set');
  if (nano > 0 && (h.CpuQuota ?? 0) > 0) throw new InvalidArgument('Conflicting options: Nano CPUs and CPU Quota cannot both be set');
  if (nano < 0 || nano > cpus * 1e9) {
    throw new InvalidArgument(`Range of CPUs is from 0.01 to ${cpus}.00, as there are only ${cpus} CPUs available`);
  }
  const period = h.CpuPeriod ?? 0;
  if (period !== 0 && (period < 1000 || period > 1_000_000)) {
    throw new InvalidArgument('CPU cfs period can not be less than 1ms (i.e. 1000) or larger than 1s (i.e. 1000000)');
  }
  const quota = h.CpuQuota ?? 0;
  if (quota > 0 && quota < 1000) throw new InvalidArgument('CPU cfs quota can not be less than 1ms (i.e. 1000)');
  if (nano > 0) {
    cpu.period = nanoCpusPeriod;
    cpu.quota = Math.floor((nano * nanoCpusPeriod) / 1e9);
  } else {
    if (period > 0) cpu.period = period;
    if (quota !== 0) cpu.quota = quota;
  }
  if (h.CpuShares) {
    if (h.CpuShares < 0) throw new InvalidArgument(`invalid CPU shares: ${h.CpuShares}`);
    cpu.shares = h.CpuShares;
  }
  if (h.CpuRealtimePeriod) cpu.realtimePeriod = h.CpuRealtimePeriod;
  if (h.CpuRealtimeRuntime) cpu.realtimeRuntime = h.CpuRealtimeRuntime;
  if (h.CpuRealtimePeriod && h.CpuRealtimeRuntime && h.CpuRealtimeRuntime > h.CpuRealtimePeriod) {
    throw new InvalidArgument('cpu-rt-runtime cannot be higher than cpu-rt-period');
  }
  if (h.CpusetCpus) {
    if (!CPUSET.test(h.CpusetCpus)) throw new InvalidArgument(`Invalid value ${h.CpusetCpus} for cpuset cpus`);
    cpu.cpus = h.CpusetCpus;
  }
  if (h.CpusetMems) {
    if (!CPUSET.test(h.CpusetMems)) throw new InvalidArgument(`Invalid value ${h.CpusetMems} for cpuset mems`);
    cpu.mems = h.CpusetMems;
  }
  if (Object.keys(cpu).length) resources.cpu = cpu;

  // 0 and -1 both mean unlimited (Docker stores nil for <= 0).
  if (h.PidsLimit !== undefined && h.PidsLimit !== null && h.PidsLimit > 0) resources.pids = { limit: h.PidsLimit };

  const blockIO: BlockIOResources = {};
  const weight = h.BlkioWeight ?? 0;
  if (weight > 0 && (weight < 10 || weight > 1000)) throw new InvalidArgument('Range of blkio weight is from 10 to 1000');
  if (weight > 0) blockIO.weight = weight;
  const device = (path: string | undefined) => {
    if (!path) throw new InvalidArgument('invalid device path: empty');
    if (!host.blockDevice) throw new InvalidArgument(`cannot resolve block device ${path}`);
    return host.blockDevice(path);
  };
  const weights = (list: DockerWeight[] | null | undefined): WeightDevice[] =>
    (list ?? []).map((d) => {
      if ((d.Weight ?? 0) < 10 || (d.Weight ?? 0) > 1000) throw new InvalidArgument('Range of blkio weight is from 10 to 1000');
      return { ...device(d.Path), weight: d.Weight! };
    });
  const throttles = (list: DockerThrottle[] | null | undefined): ThrottleDevice[] =>
    (list ?? []).map((d) => ({ ...device(d.Path), rate: d.Rate ?? 0 }));
  const wd = weights(h.BlkioWeightDevice);
  if (wd.length) blockIO.weightDevice = wd;
  const rb = throttles(h.BlkioDeviceReadBps);
  if (rb.length) blockIO.throttleReadBpsDevice = rb;
  const wb = throttles(h.BlkioDeviceWriteBps);
  if (wb.length) blockIO.throttleWriteBpsDevice = wb;
  const ri = throttles(h.BlkioDeviceReadIOps);
  if (ri.length) blockIO.throttleReadIOPSDevice = ri;
  const wi = throttles(h.BlkioDeviceWriteIOps);
  if (wi.length) blockIO.throttleWriteIOPSDevice = wi;
  if (Object.keys(blockIO).length) resources.blockIO = blockIO;
  return resources;
}
