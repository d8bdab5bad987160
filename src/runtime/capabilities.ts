// Linux capability names as the OCI spec writes them (CAP_CHOWN, ...) and the bit numbers the
// kernel uses for them, from include/uapi/linux/capability.h. The position in `allCapabilities`
// is the capability's number.

import { readFileSync } from 'node:fs';
import { InvalidArgument } from '../errors.js';
import type { Capabilities } from './spec/types.js';

export const allCapabilities: string[] = [
  'CAP_CHOWN', // 0
  'CAP_DAC_OVERRIDE',
  'CAP_DAC_READ_SEARCH',
  'CAP_FOWNER',
  'CAP_FSETID',
  'CAP_KILL', // 5
  'CAP_SETGID',
  'CAP_SETUID',
  'CAP_SETPCAP',
  'CAP_LINUX_IMMUTABLE',
  'CAP_NET_BIND_SERVICE', // 10
  'CAP_NET_BROADCAST',
  'CAP_NET_ADMIN',
  'CAP_NET_RAW',
  'CAP_IPC_LOCK',
  'CAP_IPC_OWNER', // 15
  'CAP_SYS_MODULE',
  'CAP_SYS_RAWIO',
  'CAP_SYS_CHROOT',
  'CAP_SYS_PTRACE',
  'CAP_SYS_PACCT', // 20
  'CAP_SYS_ADMIN',
  'CAP_SYS_BOOT',
  'CAP_SYS_NICE',
  'CAP_SYS_RESOURCE',
  'CAP_SYS_TIME', // 25
  'CAP_SYS_TTY_CONFIG',
  'CAP_MKNOD',
  'CAP_LEASE',
  'CAP_AUDIT_WRITE',
  'CAP_AUDIT_CONTROL', // 30
  'CAP_SETFCAP',
  'CAP_MAC_OVERRIDE',
  'CAP_MAC_ADMIN',
  'CAP_SYSLOG',
  'CAP_WAKE_ALARM', // 35
  'CAP_BLOCK_SUSPEND',
  'CAP_AUDIT_READ',
  'CAP_PERFMON',
  'CAP_BPF',
  'CAP_CHECKPOINT_RESTORE', // 40
];

/** The highest capability number berth knows a name for. */
export const lastKnownCapability = allCapabilities.length - 1;

const numberByName = new Map(allCapabilities.map((name, number) => [name, number]));

/**
 * The capabilities Docker grants a container by default (moby's oci/caps/defaults.go), in
 * Docker's order. Kept here so that the daemon and the runtime agree on the names.
 */
export const dockerDefaultCapabilities: readonly string[] = [
  'CAP_CHOWN',
  'CAP_DAC_OVERRIDE',
  'CAP_FSETID',
  'CAP_FOWNER',
  'CAP_MKNOD',
  'CAP_NET_RAW',
  'CAP_SETGID',
  'CAP_SETUID',
  'CAP_SETFCAP',
  'CAP_SETPCAP',
  'CAP_NET_BIND_SERVICE',
  'CAP_SYS_CHROOT',
  'CAP_KILL',
  'CAP_AUDIT_WRITE',
];

/** The number of a capability named as the OCI spec names it ("CAP_KILL"), if berth knows it. */
export function capabilityNumber(name: string): number | undefined {
  return numberByName.get(name);
}

/** Throws InvalidArgument unless `name` is a capability berth knows; `field` says where it came from. */
export function checkCapabilityName(name: unknown, field: string): void {
  if (typeof name !== 'string') {
    throw new InvalidArgument(`${field}: capability names must be strings, got ${JSON.stringify(name)}`);
  }
  if (numberByName.has(name)) return;
  // Docker's API and `docker run --cap-add` take names without the prefix; the OCI spec does not.
  const hint = numberByName.has(`CAP_${name.toUpperCase()}`) ? ` (did you mean "CAP_${name.toUpperCase()}"?)` : '';
  throw new InvalidArgument(`${field}: unknown capability "${name}"${hint}`);
}

let cachedHostLastCapability: number | undefined;

/**
 * The highest capability the running kernel supports (/proc/sys/kernel/cap_last_cap).
 * When /proc cannot be read (no /proc in a minimal chroot), the highest capability berth knows
 * is assumed, so that nothing is dropped on a guess.
 */
export function hostLastCapability(): number {
  if (cachedHostLastCapability === undefined) {
    let value = lastKnownCapability;
    try {
      const parsed = Number.parseInt(readFileSync('/proc/sys/kernel/cap_last_cap', 'utf8').trim(), 10);
      if (Number.isInteger(parsed) && parsed >= 0) value = parsed;
    } catch {
      // keep the assumption above
    }
    cachedHostLastCapability = value;
  }
  return cachedHostLastCapability;
}

/**
 * The bit mask for a list of capability names. An unknown name is an error in the config.
 * A known capability that the running kernel does not have (number above `lastCapability`) is
 * left out without an error, as runc does: a config written for a newer kernel (CAP_BPF,
 * CAP_CHECKPOINT_RESTORE on a 5.4 kernel) must still run, and capset(2) would reject the bit
 * anyway, so the container simply cannot hold a capability the kernel does not have.
 */
export function capabilityMask(
  names: string[] | undefined,
  field: string,
  lastCapability: number = hostLastCapability(),
): bigint {
  let mask = 0n;
  if (names === undefined) return mask;
  if (!Array.isArray(names)) {
    throw new InvalidArgument(`${field} must be an array of capability names`);
  }
  for (const name of names) {
    checkCapabilityName(name, field);
    const number = numberByName.get(name)!;
    if (number > lastCapability) continue;
    mask |= 1n << BigInt(number);
  }
  return mask;
}

/**
 * The names of the capabilities set in `mask`, lowest number first. A bit beyond the names berth
 * knows (a newer kernel's capability, as seen in /proc/<pid>/status) is named by its number, as
 * libcap's cap_to_name does, so that no bit is silently lost.
 */
export function capabilityNames(mask: bigint): string[] {
  const names: string[] = [];
  for (let number = 0; mask >> BigInt(number) !== 0n; number++) {
    if ((mask >> BigInt(number)) & 1n) names.push(allCapabilities[number] ?? String(number));
  }
  return names;
}

/** The five capability sets of a process as masks, as capset(2) and prctl(2) take them. */
export interface CapabilityMasks {
  bounding: bigint;
  effective: bigint;
  inheritable: bigint;
  permitted: bigint;
  ambient: bigint;
}

/** Masks for all five sets of `process.capabilities`; an absent set is empty. */
export function capabilitySetMasks(
  capabilities: Capabilities | undefined,
  field = 'process.capabilities',
  lastCapability: number = hostLastCapability(),
): CapabilityMasks {
  return {
    bounding: capabilityMask(capabilities?.bounding, `${field}.bounding`, lastCapability),
    effective: capabilityMask(capabilities?.effective, `${field}.effective`, lastCapability),
    inheritable: capabilityMask(capabilities?.inheritable, `${field}.inheritable`, lastCapability),
    permitted: capabilityMask(capabilities?.permitted, `${field}.permitted`, lastCapability),
    ambient: capabilityMask(capabilities?.ambient, `${field}.ambient`, lastCapability),
  };
}
