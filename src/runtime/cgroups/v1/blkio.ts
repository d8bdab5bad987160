// v1 blkio controller: proportional weights (CFQ's blkio.weight or BFQ's blkio.bfq.weight),
// per-device throttling, and the throttle statistics.
import { Unsupported } from '../../../errors.js';
import type { BlockIOResources, ThrottleDevice } from '../../spec/types.js';
import type { ControlDir } from '../files.js';
import { parseCounter } from '../files.js';
import type { BlkioEntry, BlkioStats } from '../stats.js';

const F = 'linux.resources.blockIO';

export const THROTTLE_FILES = {
  throttleReadBpsDevice: 'blkio.throttle.read_bps_device',
  throttleWriteBpsDevice: 'blkio.throttle.write_bps_device',
  throttleReadIOPSDevice: 'blkio.throttle.read_iops_device',
  throttleWriteIOPSDevice: 'blkio.throttle.write_iops_device',
} as const;

export function blkioIsSet(b: BlockIOResources | undefined): b is BlockIOResources {
  if (!b) return false;
  return Boolean(b.weight || b.leafWeight || b.weightDevice?.length)
    || Object.keys(THROTTLE_FILES).some((k) => (b[k as keyof typeof THROTTLE_FILES]?.length ?? 0) > 0);
}

/** The weight files of the scheduler the kernel has: CFQ's (before 5.0) or BFQ's. */
async function weightFiles(dir: ControlDir, field: string): Promise<{ weight: string; device: string }> {
  if (await dir.exists('blkio.weight')) return { weight: 'blkio.weight', device: 'blkio.weight_device' };
  if (await dir.exists('blkio.bfq.weight')) return { weight: 'blkio.bfq.weight', device: 'blkio.bfq.weight_device' };
  throw new Unsupported(`${field}: no I/O scheduler with cgroup weights (CFQ or BFQ) is available on this host`);
}

export async function setBlkio(dir: ControlDir, b: BlockIOResources): Promise<void> {
  if (b.weight) {
    const files = await weightFiles(dir, `${F}.weight`);
    await dir.write(files.weight, b.weight, `${F}.weight`);
  }
  if (b.leafWeight) await dir.write('blkio.leaf_weight', b.leafWeight, `${F}.leafWeight`);
  for (const [i, d] of (b.weightDevice ?? []).entries()) {
    const field = `${F}.weightDevice[${i}]`;
    if (d.weight) {
      const files = await weightFiles(dir, field);
      await dir.write(files.device, `${d.major}:${d.minor} ${d.weight}`, `${field}.weight`);
    }
    if (d.leafWeight) await dir.write('blkio.leaf_weight_device', `${d.major}:${d.minor} ${d.leafWeight}`, `${field}.leafWeight`);
  }
  for (const [key, file] of Object.entries(THROTTLE_FILES)) {
    const devices: ThrottleDevice[] = b[key as keyof typeof THROTTLE_FILES] ?? [];
    // One rule per write: the kernel parses a single "major:minor value" each time.
    for (const [i, d] of devices.entries()) await dir.write(file, `${d.major}:${d.minor} ${d.rate}`, `${F}.${key}[${i}]`);
  }
}

/** Lines such as "8:0 Read 4096"; the trailing "Total 4096" line has no device and is skipped. */
export function parseBlkioEntries(text: string | undefined): BlkioEntry[] {
  const entries: BlkioEntry[] = [];
  for (const line of (text ?? '').split('\n')) {
    const [device, op, value] = line.trim().split(/\s+/);
    const match = /^(\d+):(\d+)$/.exec(device ?? '');
    if (!match || !op || value === undefined) continue;
    entries.push({ major: Number(match[1]), minor: Number(match[2]), op, value: parseCounter(value) });
  }
  return entries;
}

export async function blkioStats(dir: ControlDir): Promise<BlkioStats> {
  return {
    ioServiceBytesRecursive: parseBlkioEntries(await dir.read('blkio.throttle.io_service_bytes_recursive')),
    ioServicedRecursive: parseBlkioEntries(await dir.read('blkio.throttle.io_serviced_recursive')),
  };
}
