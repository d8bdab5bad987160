// The example config.json that `berth-runtime spec` writes: runc's (`runc spec`, runc 1.1),
// so that bundles and habits carry over, with these deliberate differences:
// - ociVersion is the newest runtime-spec version berth implements, not the "1.0.2-dev" that
//   runc 1.1 vendors.
// - No ambient capabilities. Ambient capabilities survive execve into any program, including
//   for a non-root user, which an example meant to be minimal should not grant; runc 1.2 dropped
//   them from its example for the same reason.
// - /sys/devices/virtual/tpm is masked, as runc 1.2 does, so that a container cannot read the
//   host's TPM event log.
// runc 1.2 also adds a cgroup namespace on cgroup v2 hosts. That depends on the host, so here it
// is the caller's choice (`cgroupNamespace`), which keeps this function pure.

import { ociVersionMax } from '../features.js';
import type { Spec } from './types.js';

export interface DefaultSpecOptions {
  /** The spec for a container run by an unprivileged user (`runc spec --rootless`). */
  rootless?: boolean;
  /** Add a cgroup namespace (what runc 1.2 does when the host uses cgroup v2). */
  cgroupNamespace?: boolean;
}

const defaultCapabilities = ['CAP_AUDIT_WRITE', 'CAP_KILL', 'CAP_NET_BIND_SERVICE'];

export function defaultSpec(options: DefaultSpecOptions = {}): Spec {
  const spec: Spec = {
    ociVersion: ociVersionMax,
    process: {
      terminal: true,
      user: { uid: 0, gid: 0 },
      args: ['sh'],
      env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', 'TERM=xterm'],
      cwd: '/',
      capabilities: {
        bounding: [...defaultCapabilities],
        effective: [...defaultCapabilities],
        permitted: [...defaultCapabilities],
      },
      rlimits: [{ type: 'RLIMIT_NOFILE', hard: 1024, soft: 1024 }],
      noNewPrivileges: true,
    },
    root: { path: 'rootfs', readonly: true },
    hostname: 'berth',
    mounts: [
      { destination: '/proc', type: 'proc', source: 'proc' },
      {
        destination: '/dev',
        type: 'tmpfs',
        source: 'tmpfs',
        options: ['nosuid', 'strictatime', 'mode=755', 'size=65536k'],
      },
      {
        destination: '/dev/pts',
        type: 'devpts',
        source: 'devpts',
        options: ['nosuid', 'noexec', 'newinstance', 'ptmxmode=0666', 'mode=0620', 'gid=5'],
      },
      {
        destination: '/dev/shm',
        type: 'tmpfs',
        source: 'shm',
        options: ['nosuid', 'noexec', 'nodev', 'mode=1777', 'size=65536k'],
      },
      { destination: '/dev/mqueue', type: 'mqueue', source: 'mqueue', options: ['nosuid', 'noexec', 'nodev'] },
      { destination: '/sys', type: 'sysfs', source: 'sysfs', options: ['nosuid', 'noexec', 'nodev', 'ro'] },
      {
        destination: '/sys/fs/cgroup',
        type: 'cgroup',
        source: 'cgroup',
        options: ['nosuid', 'noexec', 'nodev', 'relatime', 'ro'],
      },
    ],
    linux: {
      resources: { devices: [{ allow: false, access: 'rwm' }] },
      namespaces: [{ type: 'pid' }, { type: 'network' }, { type: 'ipc' }, { type: 'uts' }, { type: 'mount' }],
      maskedPaths: [
        '/proc/acpi',
        '/proc/asound',
        '/proc/kcore',
        '/proc/keys',
        '/proc/latency_stats',
        '/proc/timer_list',
        '/proc/timer_stats',
        '/proc/sched_debug',
        '/sys/firmware',
        '/proc/scsi',
        '/sys/devices/virtual/tpm',
      ],
      readonlyPaths: ['/proc/bus', '/proc/fs', '/proc/irq', '/proc/sys', '/proc/sysrq-trigger'],
    },
  };
  if (options.cgroupNamespace) spec.linux!.namespaces!.push({ type: 'cgroup' });
  if (options.rootless) makeRootless(spec);
  return spec;
}

/** What `runc spec --rootless` changes, for a user without privileges on the host. */
function makeRootless(spec: Spec): void {
  const linux = spec.linux!;
  // An unprivileged user cannot configure network interfaces, so a new network namespace would
  // be left without any; the container shares the host's network instead.
  linux.namespaces = linux.namespaces!.filter((ns) => ns.type !== 'network' && ns.type !== 'user');
  linux.namespaces.push({ type: 'user' });
  // The only IDs an unprivileged user may map without newuidmap(1) are its own.
  linux.uidMappings = [{ containerID: 0, hostID: process.geteuid?.() ?? 0, size: 1 }];
  linux.gidMappings = [{ containerID: 0, hostID: process.getegid?.() ?? 0, size: 1 }];
  spec.mounts = spec.mounts!.map((mount) => {
    // sysfs cannot be mounted without owning the network namespace; bind the host's read-only.
    if (mount.destination === '/sys') {
      return { destination: '/sys', type: 'none', source: '/sys', options: ['rbind', 'nosuid', 'noexec', 'nodev', 'ro'] };
    }
    // With a single mapped ID, gid=5 (tty) does not exist in the container.
    if (!mount.options) return mount;
    return { ...mount, options: mount.options.filter((o) => !o.startsWith('gid=') && !o.startsWith('uid=')) };
  });
  // Cgroup limits need delegation an unprivileged user usually lacks.
  delete linux.resources;
}
