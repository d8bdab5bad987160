// The checks both hierarchy versions share, made before anything is written, so that an invalid
// value fails with the field's name instead of half-applying a spec.
import { InvalidArgument } from '../../errors.js';
import type { Resources } from '../spec/types.js';

const MEMORY = 'linux.resources.memory';
const CPU = 'linux.resources.cpu';
const BLKIO = 'linux.resources.blockIO';

function integer(value: number | undefined | null, field: string, min: number, max = Number.MAX_SAFE_INTEGER): void {
  if (value === undefined || value === null) return;
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `>= ${min}` : `between ${min} and ${max}`;
    throw new InvalidArgument(`${field}: ${value} is not an integer ${range}`);
  }
}

/** 0 means "not set" in the OCI resources, as runc reads them; anything else must be in range. */
function zeroOrRange(value: number | undefined, field: string, min: number, max: number): void {
  if (value === undefined || value === 0) return;
  integer(value, field, min, max);
}

/** A cpu list or node list as cpuset takes it: "0-3,6". */
const CPU_LIST = /^\s*(\d+(-\d+)?)(\s*,\s*\d+(-\d+)?)*\s*$/;

export function validateResources(r: Resources): void {
  const m = r.memory;
  if (m) {
    integer(m.limit, `${MEMORY}.limit`, -1);
    integer(m.reservation, `${MEMORY}.reservation`, -1);
    integer(m.swap, `${MEMORY}.swap`, -1);
    integer(m.kernel, `${MEMORY}.kernel`, -1);
    integer(m.kernelTCP, `${MEMORY}.kernelTCP`, -1);
    integer(m.swappiness, `${MEMORY}.swappiness`, 0, 100);
    // OCI swap is memory+swap, as v1's memsw: it cannot be below the memory limit.
    if (m.limit !== undefined && m.swap !== undefined && m.limit > 0 && m.swap > 0 && m.swap < m.limit) {
      throw new InvalidArgument(`${MEMORY}.swap: ${m.swap} is below ${MEMORY}.limit ${m.limit} (swap counts memory plus swap)`);
    }
  }
  const c = r.cpu;
  if (c) {
    zeroOrRange(c.shares, `${CPU}.shares`, 2, 262144);
    integer(c.quota, `${CPU}.quota`, -1);
    integer(c.period, `${CPU}.period`, 0);
    integer(c.burst, `${CPU}.burst`, 0);
    integer(c.realtimeRuntime, `${CPU}.realtimeRuntime`, -1);
    integer(c.realtimePeriod, `${CPU}.realtimePeriod`, 0);
    integer(c.idle, `${CPU}.idle`, 0, 1);
    for (const key of ['cpus', 'mems'] as const) {
      const list = c[key];
      if (list !== undefined && list !== '' && !CPU_LIST.test(list)) {
        throw new InvalidArgument(`${CPU}.${key}: "${list}" is not a list such as "0-3,6"`);
      }
    }
  }
  if (r.pids) {
    const limit = r.pids.limit;
    if (!Number.isSafeInteger(limit) || limit < -1) {
      throw new InvalidArgument(`linux.resources.pids.limit: ${limit} is not an integer >= -1 (-1 or 0 means no limit)`);
    }
  }
  const b = r.blockIO;
  if (b) {
    zeroOrRange(b.weight, `${BLKIO}.weight`, 10, 1000);
    zeroOrRange(b.leafWeight, `${BLKIO}.leafWeight`, 10, 1000);
    (b.weightDevice ?? []).forEach((d, i) => {
      const field = `${BLKIO}.weightDevice[${i}]`;
      device(d.major, d.minor, field);
      zeroOrRange(d.weight, `${field}.weight`, 10, 1000);
      zeroOrRange(d.leafWeight, `${field}.leafWeight`, 10, 1000);
    });
    for (const key of ['throttleReadBpsDevice', 'throttleWriteBpsDevice', 'throttleReadIOPSDevice', 'throttleWriteIOPSDevice'] as const) {
      (b[key] ?? []).forEach((d, i) => {
        const field = `${BLKIO}.${key}[${i}]`;
        device(d.major, d.minor, field);
        integer(d.rate, `${field}.rate`, 0);
      });
    }
  }
  (r.devices ?? []).forEach((d, i) => {
    const field = `linux.resources.devices[${i}]`;
    if (d.type !== undefined && !['a', 'b', 'c'].includes(d.type)) {
      throw new InvalidArgument(`${field}.type: "${d.type}" is not one of a, b, c`);
    }
    integer(d.major, `${field}.major`, 0);
    integer(d.minor, `${field}.minor`, 0);
    if (d.access !== undefined && !/^[rwm]{0,3}$/.test(d.access)) {
      throw new InvalidArgument(`${field}.access: "${d.access}" is not a combination of r, w and m`);
    }
  });
  (r.hugepageLimits ?? []).forEach((h, i) => {
    const field = `linux.resources.hugepageLimits[${i}]`;
    if (!/^\d+[KMG]B$/.test(h.pageSize)) throw new InvalidArgument(`${field}.pageSize: "${h.pageSize}" is not a size such as "2MB"`);
    integer(h.limit, `${field}.limit`, 0);
  });
  for (const key of Object.keys(r.unified ?? {})) {
    // Keys name a file in the container's own directory, never one elsewhere.
    if (key === '' || key.includes('/') || key === '.' || key === '..' || !key.includes('.')) {
      throw new InvalidArgument(`linux.resources.unified: "${key}" is not a control file name such as "memory.high"`);
    }
  }
}

function device(major: number, minor: number, field: string): void {
  integer(major, `${field}.major`, 0);
  integer(minor, `${field}.minor`, 0);
}
