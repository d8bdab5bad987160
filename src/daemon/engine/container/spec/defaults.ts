// What Docker gives every container unless told otherwise (moby's oci/defaults.go as of
// Docker 28, and the daemon's defaults around it). Data only; build.ts assembles the spec.
import { readdirSync } from 'node:fs';
import { dockerDefaultCapabilities } from '../../../../runtime/capabilities.js';
import type { DeviceCgroupRule, Mount } from '../../../../runtime/spec/types.js';

/** The 14 capabilities of a default container, in Docker's order (shared with the runtime). */
export const defaultCapabilities: readonly string[] = dockerDefaultCapabilities;

/** oci.DefaultPathEnv for Linux: PATH when neither the image nor the container sets one. */
export const defaultPathEnv = 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** dockerd's default --default-shm-size: 64 MiB. */
export const defaultShmSize = 64 * 1024 * 1024;

/** Docker's StopSignal when neither the container nor the image names one. */
export const defaultStopSignal = 'SIGTERM';

/** Where the reaper (`--init`) appears inside the container; Docker's is /sbin/docker-init. */
export const reaperPathInContainer = '/sbin/berth-reaper';

/** Paths a container may not read (oci/defaults.go, Docker 28), in Docker's order. */
export const defaultMaskedPaths: readonly string[] = [
  '/proc/asound',
  '/proc/acpi',
  '/proc/interrupts',
  '/proc/kcore',
  '/proc/keys',
  '/proc/latency_stats',
  '/proc/timer_list',
  '/proc/timer_stats',
  '/proc/sched_debug',
  '/proc/scsi',
  '/sys/firmware',
  '/sys/devices/virtual/powercap',
];

/** Paths a container may read but not write (oci/defaults.go). */
export const defaultReadonlyPaths: readonly string[] = [
  '/proc/bus',
  '/proc/fs',
  '/proc/irq',
  '/proc/sys',
  '/proc/sysrq-trigger',
];

/**
 * Docker 28 also masks each CPU's thermal_throttle directory (its counters leak the host's load
 * and were usable as a side channel); the list depends on the host's CPUs, so it is read here.
 */
export function hostThermalThrottlePaths(cpuDir = '/sys/devices/system/cpu'): string[] {
  let names: string[];
  try {
    names = readdirSync(cpuDir);
  } catch {
    return [];
  }
  const paths: string[] = [];
  for (const name of names.filter((n) => /^cpu\d+$/.test(n)).sort((a, b) => Number(a.slice(3)) - Number(b.slice(3)))) {
    try {
      if (readdirSync(`${cpuDir}/${name}`).includes('thermal_throttle')) paths.push(`/sys/devices/system/cpu/${name}/thermal_throttle`);
    } catch {
      // a CPU going offline while we look: nothing to mask
    }
  }
  return paths;
}

/** The mounts of every container, in Docker's order; /dev/shm is sized by HostConfig.ShmSize. */
export function defaultMounts(shmSize: number): Mount[] {
  return [
    { destination: '/proc', type: 'proc', source: 'proc', options: ['rw', 'nosuid', 'noexec', 'nodev'] },
    { destination: '/dev', type: 'tmpfs', source: 'tmpfs', options: ['rw', 'nosuid', 'strictatime', 'mode=755', 'size=65536k'] },
    {
      destination: '/dev/pts',
      type: 'devpts',
      source: 'devpts',
      options: ['rw', 'nosuid', 'noexec', 'newinstance', 'ptmxmode=0666', 'mode=0620', 'gid=5'],
    },
    { destination: '/sys', type: 'sysfs', source: 'sysfs', options: ['ro', 'nosuid', 'noexec', 'nodev'] },
    { destination: '/sys/fs/cgroup', type: 'cgroup', source: 'cgroup', options: ['ro', 'nosuid', 'noexec', 'nodev'] },
    { destination: '/dev/mqueue', type: 'mqueue', source: 'mqueue', options: ['rw', 'nosuid', 'noexec', 'nodev'] },
    {
      destination: '/dev/shm',
      type: 'tmpfs',
      source: 'shm',
      options: ['rw', 'nosuid', 'noexec', 'nodev', 'mode=1777', `size=${shmSize}`],
    },
  ];
}

/**
 * Docker's device cgroup rules: deny everything, allow the basic character devices, and deny
 * /dev/fuse (10:229) explicitly. The runtime appends runc's AllowedDevices after these (ptys,
 * /dev/full, /dev/net/tun, mknod), as runc does.
 */
export function defaultDeviceRules(): DeviceCgroupRule[] {
  const allow = (major: number, minor: number): DeviceCgroupRule => ({ allow: true, type: 'c', major, minor, access: 'rwm' });
  return [
    { allow: false, access: 'rwm' },
    allow(1, 5), // zero
    allow(1, 3), // null
    allow(1, 9), // urandom
    allow(1, 8), // random
    allow(5, 0), // tty
    allow(5, 1), // console
    { allow: false, type: 'c', major: 10, minor: 229, access: 'rwm' }, // fuse
  ];
}
