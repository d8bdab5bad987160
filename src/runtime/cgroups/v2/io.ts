// v2 io controller: weights (BFQ's io.bfq.weight when present, else io.weight) and io.max
// limits, plus io.stat turned into v1-style Read/Write entries.
import type { BlockIOResources } from '../../spec/types.js';
import type { ControlDir } from '../files.js';
import { parseCounter } from '../files.js';
import type { BlkioEntry, BlkioStats } from '../stats.js';

const F = 'linux.resources.blockIO';

/** runc's mapping of v1 blkio weights [10, 1000] onto v2 io.weight [1, 10000]. */
export function blkioWeightToIoWeight(weight: number): number {
  return 1 + Math.floor(((weight - 10) * 9999) / 990);
}

const IO_MAX_KEYS = {
  throttleReadBpsDevice: 'rbps',
  throttleWriteBpsDevice: 'wbps',
  throttleReadIOPSDevice: 'riops',
  throttleWriteIOPSDevice: 'wiops',
} as const;

/** One io.max line per device, all four limits of the device together; a rate of 0 is "max". */
export function ioMaxLines(b: BlockIOResources): string[] {
  const byDevice = new Map<string, string[]>();
  for (const [key, name] of Object.entries(IO_MAX_KEYS)) {
    for (const d of b[key as keyof typeof IO_MAX_KEYS] ?? []) {
      const device = `${d.major}:${d.minor}`;
      const settings = byDevice.get(device) ?? [];
      settings.push(`${name}=${d.rate === 0 ? 'max' : d.rate}`);
      byDevice.set(device, settings);
    }
  }
  return [...byDevice].map(([device, settings]) => `${device} ${settings.join(' ')}`);
}

export function ioIsSet(b: BlockIOResources | undefined): b is BlockIOResources {
  return Boolean(b && (b.weight || b.weightDevice?.some((d) => d.weight) || ioMaxLines(b).length > 0));
}

/** leafWeight has no v2 counterpart (v2 has no internal processes to weigh); runc ignores it too. */
export async function setIo(dir: ControlDir, b: BlockIOResources): Promise<void> {
  const bfq = await dir.exists('io.bfq.weight');
  if (b.weight) {
    // BFQ's weights have v1's range and meaning, so they go across unchanged.
    if (bfq) await dir.write('io.bfq.weight', b.weight, `${F}.weight`);
    else await dir.write('io.weight', blkioWeightToIoWeight(b.weight), `${F}.weight`);
  }
  for (const [i, d] of (b.weightDevice ?? []).entries()) {
    if (!d.weight) continue;
    const field = `${F}.weightDevice[${i}].weight`;
    if (bfq) await dir.write('io.bfq.weight', `${d.major}:${d.minor} ${d.weight}`, field);
    else await dir.write('io.weight', `${d.major}:${d.minor} ${blkioWeightToIoWeight(d.weight)}`, field);
  }
  for (const line of ioMaxLines(b)) await dir.write('io.max', line, `${F} (io.max "${line}")`);
}

/** io.stat: "8:0 rbytes=1 wbytes=2 rios=3 wios=4 dbytes=0 dios=0" per device. */
export function parseIoStat(text: string | undefined): BlkioStats {
  const bytes: BlkioEntry[] = [];
  const ios: BlkioEntry[] = [];
  for (const line of (text ?? '').split('\n')) {
    const [device, ...pairs] = line.trim().split(/\s+/);
    const match = /^(\d+):(\d+)$/.exec(device ?? '');
    if (!match) continue;
    const major = Number(match[1]);
    const minor = Number(match[2]);
    const values = new Map(pairs.map((p) => p.split('=') as [string, string]));
    const add = (list: BlkioEntry[], key: string, op: string) => {
      const value = values.get(key);
      if (value !== undefined) list.push({ major, minor, op, value: parseCounter(value) });
    };
    add(bytes, 'rbytes', 'Read');
    add(bytes, 'wbytes', 'Write');
    add(ios, 'rios', 'Read');
    add(ios, 'wios', 'Write');
  }
  return { ioServiceBytesRecursive: bytes, ioServicedRecursive: ios };
}

export async function ioStats(dir: ControlDir): Promise<BlkioStats> {
  return parseIoStat(await dir.read('io.stat'));
}
