import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  buildCreatePlan, buildExecPlan, startHookRecords, type CreatePlanInput, type ExecPlanInput,
} from '../../../src/runtime/plan/build.js';
import { CloneFlag, MountKind, PlanRecord, UMASK_KEEP } from '../../../src/runtime/process/protocol.js';
import { MS } from '../../../src/runtime/plan/mount-options.js';
import type { CgroupHierarchy } from '../../../src/runtime/cgroups/cgroup.js';
import type { Mount, Process, Spec, State } from '../../../src/runtime/spec/types.js';
import { cStrings, decodeDevice, decodeMount, payloadsOf, typeNames, u32s, u64s } from './records.js';

const process0: Process = { user: { uid: 0, gid: 0 }, args: ['sh', '-c', 'true'], env: ['PATH=/bin', 'A=1'], cwd: '/work' };
const base = MS.NOSUID | MS.NODEV | MS.NOEXEC;

const v2Hierarchy: CgroupHierarchy = {
  fstype: 'cgroup2', mountName: '', options: '', controllers: ['cpu', 'memory'],
  hostPath: '/sys/fs/cgroup/berth/c1', hostRoot: '/sys/fs/cgroup',
};

/** A hybrid host: the unified hierarchy, name=systemd, a co-mounted pair and memory. */
const hybridHierarchies: CgroupHierarchy[] = [
  { fstype: 'cgroup', mountName: 'cpu,cpuacct', options: 'cpu,cpuacct', controllers: ['cpu', 'cpuacct'], hostPath: '/sys/fs/cgroup/cpu,cpuacct/berth/c1', hostRoot: '/sys/fs/cgroup/cpu,cpuacct' },
  { fstype: 'cgroup', mountName: 'memory', options: 'memory', controllers: ['memory'], hostPath: '/sys/fs/cgroup/memory/berth/c1', hostRoot: '/sys/fs/cgroup/memory' },
  { fstype: 'cgroup', mountName: 'systemd', options: 'name=systemd', controllers: [], hostPath: '/sys/fs/cgroup/systemd/berth/c1', hostRoot: '/sys/fs/cgroup/systemd' },
  { fstype: 'cgroup2', mountName: 'unified', options: '', controllers: [], hostPath: '/sys/fs/cgroup/unified/berth/c1', hostRoot: '/sys/fs/cgroup/unified' },
];

let bundle: string;

function createInput(spec: Partial<Spec>, extra: Partial<CreatePlanInput> = {}): CreatePlanInput {
  return {
    spec: { ociVersion: '1.2.0', root: { path: 'rootfs' }, ...spec },
    bundle,
    rootfs: join(bundle, 'rootfs'),
    execFifo: '/run/berth/c1/exec.fifo',
    cgroupProcsFiles: ['/sys/fs/cgroup/berth/c1/cgroup.procs'],
    cgroupHierarchies: [v2Hierarchy],
    foreground: false,
    pauseForHooks: false,
    process: process0,
    setsid: true,
    ...extra,
  };
}

const mountsOf = (input: CreatePlanInput) => payloadsOf(buildCreatePlan(input), PlanRecord.Mount).map(decodeMount);
const onlyPayload = (input: CreatePlanInput, type: number): Buffer => {
  const payloads = payloadsOf(buildCreatePlan(input), type);
  assert.equal(payloads.length, 1, `one record of type ${type}`);
  return payloads[0]!;
};
const processRecordsOf = (process: Process, extra: Partial<CreatePlanInput> = {}) =>
  buildCreatePlan(createInput({}, { process, ...extra }));

describe('buildCreatePlan', () => {
  before(() => {
    bundle = mkdtempSync(join(tmpdir(), 'berth-plan-'));
    mkdirSync(join(bundle, 'rootfs'));
    mkdirSync(join(bundle, 'data'));
  });
  after(() => rmSync(bundle, { recursive: true, force: true }));

  it('orders the records as berth-init performs them', () => {
    const records = buildCreatePlan(createInput({
      hostname: 'box',
      linux: { namespaces: [{ type: 'pid' }, { type: 'mount' }, { type: 'uts' }], maskedPaths: ['/proc/kcore'], readonlyPaths: ['/proc/sys'] },
      root: { path: 'rootfs', readonly: true },
      mounts: [{ destination: '/proc', type: 'proc', source: 'proc' }],
    }, { foreground: true, pauseForHooks: true }));
    assert.deepEqual(typeNames(records), [
      'Foreground', 'ExecFifo', 'CloneFlags', 'CgroupProcs', 'Rootfs', 'RootfsPropagation', 'Mount', 'HookPause', 'PivotRoot',
      'MaskPath', 'ReadonlyPath', 'RootReadonly', 'Hostname', 'Setsid', 'User', 'Cwd', 'Env', 'Env', 'Arg', 'Arg', 'Arg',
    ]);
    assert.deepEqual(cStrings(payloadsOf(records, PlanRecord.ExecFifo)[0]!), ['/run/berth/c1/exec.fifo']);
    assert.deepEqual(cStrings(payloadsOf(records, PlanRecord.Rootfs)[0]!), [join(bundle, 'rootfs')]);
    assert.deepEqual(cStrings(payloadsOf(records, PlanRecord.MaskPath)[0]!), ['/proc/kcore']);
    assert.deepEqual(cStrings(payloadsOf(records, PlanRecord.ReadonlyPath)[0]!), ['/proc/sys']);
    assert.deepEqual(cStrings(payloadsOf(records, PlanRecord.Hostname)[0]!), ['box']);
  });

  it('leaves out Foreground, HookPause and RootReadonly unless asked for', () => {
    const names = typeNames(buildCreatePlan(createInput({})));
    for (const absent of ['Foreground', 'HookPause', 'RootReadonly', 'Hostname', 'UidMap', 'OomScoreAdj', 'Caps', 'Seccomp']) {
      assert.ok(!names.includes(absent), absent);
    }
  });

  it('creates namespaces through clone flags and joins those given by path', () => {
    const records = buildCreatePlan(createInput({
      linux: {
        namespaces: [
          { type: 'pid' }, { type: 'network', path: '/var/run/netns/n1' }, { type: 'ipc' }, { type: 'uts' },
          { type: 'mount' }, { type: 'cgroup' }, { type: 'time' }, { type: 'user', path: '/proc/42/ns/user' },
        ],
      },
    }));
    const flags = u32s(onlyPayload(createInput({ linux: { namespaces: [{ type: 'pid' }] } }), PlanRecord.CloneFlags), 1)[0];
    assert.equal(flags, 0x20000000);
    assert.deepEqual(u32s(payloadsOf(records, PlanRecord.CloneFlags)[0]!, 1),
      [CloneFlag.pid | CloneFlag.ipc | CloneFlag.uts | CloneFlag.mount | CloneFlag.cgroup | CloneFlag.time]);
    const joins = payloadsOf(records, PlanRecord.NamespaceJoin).map((p) => [p.readUInt32LE(0), cStrings(p, 4)]);
    assert.deepEqual(joins, [[0x40000000, ['/var/run/netns/n1']], [0x10000000, ['/proc/42/ns/user']]]);
    // Joins come before the clone flags; a joined user namespace gets no id maps.
    const names = typeNames(records);
    assert.ok(names.lastIndexOf('NamespaceJoin') < names.indexOf('CloneFlags'));
    assert.ok(!names.includes('UidMap') && !names.includes('GidMap'));
  });

  it('writes uid_map and gid_map text for a new user namespace, right after the clone flags', () => {
    const records = buildCreatePlan(createInput({
      linux: {
        namespaces: [{ type: 'user' }, { type: 'mount' }],
        uidMappings: [{ containerID: 0, hostID: 1000, size: 1 }, { containerID: 1, hostID: 100000, size: 65536 }],
        gidMappings: [{ containerID: 0, hostID: 2000, size: 10 }],
      },
    }));
    assert.deepEqual(typeNames(records).slice(1, 4), ['CloneFlags', 'UidMap', 'GidMap']);
    assert.deepEqual(cStrings(payloadsOf(records, PlanRecord.UidMap)[0]!), ['0 1000 1\n1 100000 65536\n']);
    assert.deepEqual(cStrings(payloadsOf(records, PlanRecord.GidMap)[0]!), ['0 2000 10\n']);
    assert.deepEqual(u32s(payloadsOf(records, PlanRecord.CloneFlags)[0]!, 1), [CloneFlag.user | CloneFlag.mount]);
  });

  it('puts the process in every cgroup.procs file and sets oom_score_adj as text', () => {
    const records = buildCreatePlan(createInput({}, {
      cgroupProcsFiles: ['/a/cgroup.procs', '/b/cgroup.procs'],
      process: { ...process0, oomScoreAdj: -500 },
    }));
    assert.deepEqual(payloadsOf(records, PlanRecord.CgroupProcs).map((p) => cStrings(p)), [['/a/cgroup.procs'], ['/b/cgroup.procs']]);
    assert.deepEqual(cStrings(payloadsOf(records, PlanRecord.OomScoreAdj)[0]!), ['-500']);
  });

  it('makes the root mount rslave unless linux.rootfsPropagation says otherwise', () => {
    assert.deepEqual(u64s(onlyPayload(createInput({}), PlanRecord.RootfsPropagation), 1), [MS.SLAVE | MS.REC]);
    assert.deepEqual(u64s(onlyPayload(createInput({ linux: { rootfsPropagation: 'private' } }), PlanRecord.RootfsPropagation), 1), [MS.PRIVATE]);
    assert.throws(() => buildCreatePlan(createInput({ linux: { rootfsPropagation: 'bogus' } })), {
      name: 'InvalidArgument',
      message: 'linux.rootfsPropagation: "bogus" is not a propagation (private, rprivate, shared, rshared, slave, rslave, unbindable, runbindable)',
    });
  });

  it('mounts a filesystem with its flags and data, the type standing in for a missing source', () => {
    const [tmpfs, mqueue] = mountsOf(createInput({
      mounts: [
        { destination: '/dev', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'strictatime', 'mode=755', 'size=65536k', 'rshared'] },
        { destination: '/dev/mqueue', type: 'mqueue', options: ['ro', 'nodev'] },
      ],
    }));
    assert.deepEqual(tmpfs, {
      kind: MountKind.Filesystem, flags: MS.NOSUID | MS.STRICTATIME, remountFlags: 0n, propagation: MS.SHARED | MS.REC,
      source: 'tmpfs', target: '/dev', fstype: 'tmpfs', data: 'mode=755,size=65536k',
    });
    assert.deepEqual(mqueue, {
      kind: MountKind.Filesystem, flags: MS.RDONLY | MS.NODEV, remountFlags: 0n, propagation: 0n,
      source: 'mqueue', target: '/dev/mqueue', fstype: 'mqueue', data: '',
    });
  });

  it('binds with MS_BIND (and MS_REC for rbind), leaving the other flags to a remount', () => {
    const [bind, rbind, typed] = mountsOf(createInput({
      mounts: [
        { destination: '/data', source: 'data', options: ['bind', 'ro', 'nosuid', 'nodev', 'rprivate'] },
        { destination: '/abs', type: 'none', source: bundle, options: ['rbind', 'rw'] },
        { destination: '/typed', type: 'bind', source: join(bundle, 'data'), options: ['noexec'] },
      ],
    }));
    assert.deepEqual(bind, {
      kind: MountKind.Bind, flags: MS.BIND, remountFlags: MS.RDONLY | MS.NOSUID | MS.NODEV, propagation: MS.PRIVATE | MS.REC,
      source: join(bundle, 'data'), target: '/data', fstype: '', data: '',
    });
    assert.deepEqual(rbind, {
      kind: MountKind.Bind, flags: MS.BIND | MS.REC, remountFlags: 0n, propagation: 0n,
      source: bundle, target: '/abs', fstype: '', data: '',
    });
    assert.equal(typed?.kind, MountKind.Bind);
    assert.equal(typed?.flags, MS.BIND);
    assert.equal(typed?.remountFlags, MS.NOEXEC);
  });

  it('refuses a bind of a source that does not exist, and a relative destination', () => {
    assert.throws(() => buildCreatePlan(createInput({ mounts: [{ destination: '/x', source: 'missing', options: ['bind'] }] })), {
      name: 'InvalidArgument', message: `mounts[0].source ${join(bundle, 'missing')} does not exist`,
    });
    assert.throws(() => buildCreatePlan(createInput({ mounts: [{ destination: 'x', type: 'tmpfs' }] })), {
      name: 'InvalidArgument', message: 'mounts[0].destination "x" must be absolute',
    });
  });

  describe('cgroup mounts', () => {
    const cgroupMount: Mount = { destination: '/sys/fs/cgroup', type: 'cgroup', source: 'cgroup', options: ['nosuid', 'noexec', 'nodev', 'relatime', 'ro'] };
    const planFor = (hierarchies: CgroupHierarchy[], ownNamespace: boolean, mount: Mount = cgroupMount) =>
      buildCreatePlan(createInput({
        mounts: [mount],
        linux: { namespaces: [{ type: 'mount' }, ...(ownNamespace ? [{ type: 'cgroup' as const }] : [])] },
      }, { cgroupHierarchies: hierarchies }));

    it('v2 without a cgroup namespace: binds the container\'s directory read-only', () => {
      assert.deepEqual(payloadsOf(planFor([v2Hierarchy], false), PlanRecord.Mount).map(decodeMount), [{
        kind: MountKind.Bind, flags: MS.BIND, remountFlags: base | MS.RDONLY, propagation: 0n,
        source: '/sys/fs/cgroup/berth/c1', target: '/sys/fs/cgroup', fstype: '', data: '',
      }]);
    });

    it('v2 with a cgroup namespace: mounts a fresh cgroup2, read-write without "ro"', () => {
      const rw = { ...cgroupMount, type: 'cgroup2', options: ['nosuid'] };
      assert.deepEqual(payloadsOf(planFor([v2Hierarchy], true, rw), PlanRecord.Mount).map(decodeMount), [{
        kind: MountKind.Filesystem, flags: base, remountFlags: 0n, propagation: 0n,
        source: 'cgroup', target: '/sys/fs/cgroup', fstype: 'cgroup2', data: '',
      }]);
    });

    it('v1 hybrid: a tmpfs, one bind per v1 hierarchy (not the unified one), links for co-mounts, then read-only', () => {
      const records = planFor(hybridHierarchies, false);
      const between = typeNames(records).slice(typeNames(records).indexOf('RootfsPropagation') + 1, typeNames(records).indexOf('PivotRoot'));
      assert.deepEqual(between, ['Mount', 'Mount', 'Symlink', 'Symlink', 'Mount', 'Mount', 'Mount']);
      const mounts = payloadsOf(records, PlanRecord.Mount).map(decodeMount);
      assert.deepEqual(mounts[0], {
        kind: MountKind.Filesystem, flags: base, remountFlags: 0n, propagation: 0n,
        source: 'tmpfs', target: '/sys/fs/cgroup', fstype: 'tmpfs', data: 'mode=755',
      });
      assert.deepEqual(mounts.slice(1, 4).map((m) => [m.kind, m.flags, m.remountFlags, m.source, m.target]), [
        [MountKind.Bind, MS.BIND, base | MS.RDONLY, '/sys/fs/cgroup/cpu,cpuacct/berth/c1', '/sys/fs/cgroup/cpu,cpuacct'],
        [MountKind.Bind, MS.BIND, base | MS.RDONLY, '/sys/fs/cgroup/memory/berth/c1', '/sys/fs/cgroup/memory'],
        [MountKind.Bind, MS.BIND, base | MS.RDONLY, '/sys/fs/cgroup/systemd/berth/c1', '/sys/fs/cgroup/systemd'],
      ]);
      assert.ok(!mounts.some((m) => m.target.endsWith('/unified')));
      assert.deepEqual(mounts[4], {
        kind: MountKind.PropagationOnly, flags: 0n, remountFlags: MS.RDONLY | base, propagation: 0n,
        source: '', target: '/sys/fs/cgroup', fstype: '', data: '',
      });
      assert.deepEqual(payloadsOf(records, PlanRecord.Symlink).slice(0, 2).map((p) => cStrings(p)), [
        ['cpu,cpuacct', '/sys/fs/cgroup/cpu'],
        ['cpu,cpuacct', '/sys/fs/cgroup/cpuacct'],
      ]);
    });

    it('v1 with a cgroup namespace: mounts each hierarchy with its options; no final remount without "ro"', () => {
      const rw = { ...cgroupMount, options: ['nosuid'] };
      const mounts = payloadsOf(planFor(hybridHierarchies, true, rw), PlanRecord.Mount).map(decodeMount);
      assert.deepEqual(mounts.map((m) => [m.kind, m.flags, m.source, m.target, m.fstype, m.data]), [
        [MountKind.Filesystem, base, 'tmpfs', '/sys/fs/cgroup', 'tmpfs', 'mode=755'],
        [MountKind.Filesystem, base, 'cgroup', '/sys/fs/cgroup/cpu,cpuacct', 'cgroup', 'cpu,cpuacct'],
        [MountKind.Filesystem, base, 'cgroup', '/sys/fs/cgroup/memory', 'cgroup', 'memory'],
        [MountKind.Filesystem, base, 'cgroup', '/sys/fs/cgroup/systemd', 'cgroup', 'name=systemd'],
      ]);
    });
  });

  it('creates the default devices and /dev links when /dev is mounted', () => {
    const records = buildCreatePlan(createInput({
      mounts: [{ destination: '/dev', type: 'tmpfs', source: 'tmpfs' }],
      linux: { devices: [{ type: 'c', path: '/dev/fuse', major: 10, minor: 229, fileMode: 0o600, uid: 1, gid: 2 }, { type: 'p', path: '/dev/fifo' }] },
    }));
    const devices = payloadsOf(records, PlanRecord.Device).map(decodeDevice);
    assert.deepEqual(devices.map((d) => d.path),
      ['/dev/null', '/dev/zero', '/dev/full', '/dev/random', '/dev/urandom', '/dev/tty', '/dev/fuse', '/dev/fifo']);
    assert.deepEqual(devices[0], { mode: 0o020666, major: 1, minor: 3, uid: 0, gid: 0, bindFromHost: 0, path: '/dev/null' });
    assert.deepEqual(devices[6], { mode: 0o020600, major: 10, minor: 229, uid: 1, gid: 2, bindFromHost: 0, path: '/dev/fuse' });
    assert.deepEqual(devices[7], { mode: 0o010666, major: 0, minor: 0, uid: 0, gid: 0, bindFromHost: 0, path: '/dev/fifo' });
    const links = payloadsOf(records, PlanRecord.Symlink).map((p) => cStrings(p));
    assert.deepEqual(links.slice(0, 5), [
      ['/proc/self/fd', '/dev/fd'], ['/proc/self/fd/0', '/dev/stdin'], ['/proc/self/fd/1', '/dev/stdout'],
      ['/proc/self/fd/2', '/dev/stderr'], ['pts/ptmx', '/dev/ptmx'],
    ]);
    assert.deepEqual(links.slice(5), existsSync('/proc/kcore') ? [['/proc/kcore', '/dev/core']] : []);
  });

  it('binds the host\'s device nodes instead of mknod in a user namespace', () => {
    const devices = payloadsOf(buildCreatePlan(createInput({
      mounts: [{ destination: '/dev', type: 'tmpfs' }],
      linux: { namespaces: [{ type: 'user' }], uidMappings: [{ containerID: 0, hostID: 1000, size: 1 }], gidMappings: [{ containerID: 0, hostID: 1000, size: 1 }] },
    })), PlanRecord.Device).map(decodeDevice);
    // /dev/null exists on any host this runs on; a node missing on the host is still made with mknod.
    assert.equal(devices.find((d) => d.path === '/dev/null')?.bindFromHost, 1);
  });

  it('makes no devices without a /dev mount', () => {
    const names = typeNames(buildCreatePlan(createInput({ mounts: [{ destination: '/proc', type: 'proc' }] })));
    assert.ok(!names.includes('Device') && !names.includes('Symlink'));
  });

  it('refuses a hostname or domainname without the container\'s own uts namespace', () => {
    assert.throws(() => buildCreatePlan(createInput({ hostname: 'box' })), {
      name: 'InvalidArgument', message: 'hostname: setting it needs the container\'s own uts namespace',
    });
    assert.throws(() => buildCreatePlan(createInput({ hostname: 'box', linux: { namespaces: [{ type: 'uts', path: '/proc/1/ns/uts' }] } })), {
      name: 'InvalidArgument', message: 'hostname: setting it needs the container\'s own uts namespace',
    });
    assert.throws(() => buildCreatePlan(createInput({ domainname: 'example.org' })), {
      name: 'InvalidArgument', message: 'domainname: setting it needs the container\'s own uts namespace',
    });
    const records = buildCreatePlan(createInput({ domainname: 'example.org', linux: { namespaces: [{ type: 'uts' }] } }));
    assert.deepEqual(cStrings(payloadsOf(records, PlanRecord.Domainname)[0]!), ['example.org']);
  });

  it('leaves an empty hostname alone, as validateSpec allows it without a uts namespace', () => {
    const names = typeNames(buildCreatePlan(createInput({ hostname: '', domainname: '' })));
    assert.ok(!names.includes('Hostname') && !names.includes('Domainname'));
  });

  it('writes sysctls under /proc/sys for namespaces the container creates', () => {
    const records = buildCreatePlan(createInput({
      linux: { namespaces: [{ type: 'network' }, { type: 'ipc' }], sysctl: { 'net.ipv4.ip_forward': '1', 'kernel.shmmax': '65536' } },
    }));
    assert.deepEqual(payloadsOf(records, PlanRecord.Sysctl).map((p) => cStrings(p)), [
      ['/proc/sys/net/ipv4/ip_forward', '1'], ['/proc/sys/kernel/shmmax', '65536'],
    ]);
    assert.throws(() => buildCreatePlan(createInput({
      linux: { namespaces: [{ type: 'network', path: '/var/run/netns/x' }], sysctl: { 'net.ipv4.ip_forward': '1' } },
    })), { name: 'InvalidArgument', message: 'linux.sysctl: "net.ipv4.ip_forward" needs the container\'s own network namespace' });
  });

  describe('process records', () => {
    it('refuses a terminal without a console socket', () => {
      assert.throws(() => processRecordsOf({ ...process0, terminal: true }), {
        name: 'InvalidArgument', message: 'process.terminal is true: a --console-socket is needed to receive the pty master',
      });
    });

    it('sends the console socket and size (u16 rows, u16 columns) for a terminal', () => {
      const records = processRecordsOf({ ...process0, terminal: true, consoleSize: { height: 24, width: 80 } },
        { consoleSocket: '/run/console.sock', setsid: false });
      const names = typeNames(records);
      assert.deepEqual(names.slice(names.indexOf('Setsid'), names.indexOf('Setsid') + 3), ['Setsid', 'ConsoleSocket', 'ConsoleSize']);
      assert.deepEqual(cStrings(payloadsOf(records, PlanRecord.ConsoleSocket)[0]!), ['/run/console.sock']);
      const size = payloadsOf(records, PlanRecord.ConsoleSize)[0]!;
      assert.equal(size.length, 4);
      assert.deepEqual([size.readUInt16LE(0), size.readUInt16LE(2)], [24, 80]);
    });

    it('leaves out Setsid for a process that neither leads a session nor has a terminal', () => {
      assert.ok(!typeNames(processRecordsOf(process0, { setsid: false })).includes('Setsid'));
    });

    it('sends each rlimit as resource number, soft and hard', () => {
      const rlimits = payloadsOf(processRecordsOf({
        ...process0, rlimits: [{ type: 'RLIMIT_NOFILE', soft: 1024, hard: 4096 }, { type: 'RLIMIT_CORE', soft: 0, hard: 0 }],
      }), PlanRecord.Rlimit);
      assert.deepEqual(rlimits.map((p) => [...u32s(p, 2), ...u64s(p, 2, 8)]), [[7, 0, 1024n, 4096n], [4, 0, 0n, 0n]]);
      assert.throws(() => processRecordsOf({ ...process0, rlimits: [{ type: 'RLIMIT_NOFILE', soft: 1, hard: 1 }, { type: 'NOFILE', soft: 1, hard: 1 }] }),
        { name: 'InvalidArgument', message: /^process\.rlimits\[1\]\.type: unknown rlimit type "NOFILE"/ });
    });

    it('sends the unlimited rlimit (2^64-1, parsed from JSON as 2^64) as RLIM_INFINITY, not 0', () => {
      const { rlimits } = JSON.parse('{"rlimits":[{"type":"RLIMIT_MEMLOCK","soft":18446744073709551615,"hard":18446744073709551615}]}');
      const payload = payloadsOf(processRecordsOf({ ...process0, rlimits }), PlanRecord.Rlimit)[0]!;
      assert.deepEqual(u64s(payload, 2, 8), [2n ** 64n - 1n, 2n ** 64n - 1n]);
    });

    it('sends the user with umask and additional groups; an absent umask is kept', () => {
      const user = (u: Process['user']) => {
        const p = payloadsOf(processRecordsOf({ ...process0, user: u }), PlanRecord.User)[0]!;
        const [uid, gid, umask, count] = u32s(p, 4) as [number, number, number, number];
        assert.equal(p.length, 16 + 4 * count);
        return [uid, gid, umask, u32s(p, count, 16)];
      };
      assert.deepEqual(user({ uid: 1000, gid: 100, umask: 0o022, additionalGids: [5, 27] }), [1000, 100, 0o022, [5, 27]]);
      assert.deepEqual(user({ uid: 0, gid: 0 }), [0, 0, UMASK_KEEP, []]);
    });

    it('sends capability masks in the order bounding, effective, permitted, inheritable, ambient', () => {
      const caps = payloadsOf(processRecordsOf({
        ...process0,
        capabilities: { bounding: ['CAP_CHOWN', 'CAP_KILL'], effective: ['CAP_KILL'], permitted: ['CAP_NET_RAW'], inheritable: ['CAP_SETUID'] },
      }), PlanRecord.Caps);
      assert.equal(caps[0]!.length, 40);
      assert.deepEqual(u64s(caps[0]!, 5), [(1n << 0n) | (1n << 5n), 1n << 5n, 1n << 13n, 1n << 7n, 0n]);
      assert.throws(() => processRecordsOf({ ...process0, capabilities: { ambient: ['CAP_NOPE'] } }), {
        name: 'InvalidArgument', message: 'process.capabilities.ambient: unknown capability "CAP_NOPE"',
      });
    });

    it('sends no-new-privileges, the seccomp program with its flags, cwd, env and args, in that order', () => {
      const program = Buffer.from([1, 2, 3, 4, 5, 6, 7, 8]);
      const records = processRecordsOf({ ...process0, noNewPrivileges: true }, { seccomp: { program, flags: 0x4 } });
      const names = typeNames(records);
      assert.deepEqual(names.slice(names.indexOf('User')), ['User', 'NoNewPrivs', 'Seccomp', 'Cwd', 'Env', 'Env', 'Arg', 'Arg', 'Arg']);
      const seccomp = payloadsOf(records, PlanRecord.Seccomp)[0]!;
      assert.deepEqual(u32s(seccomp, 2), [0x4, 0]);
      assert.deepEqual(seccomp.subarray(8), program);
      assert.deepEqual(payloadsOf(records, PlanRecord.Cwd).map((p) => cStrings(p)), [['/work']]);
      assert.deepEqual(payloadsOf(records, PlanRecord.Env).map((p) => cStrings(p)), [['PATH=/bin'], ['A=1']]);
      assert.deepEqual(payloadsOf(records, PlanRecord.Arg).map((p) => cStrings(p)), [['sh'], ['-c'], ['true']]);
    });
  });
});

describe('buildExecPlan', () => {
  const execInput = (extra: Partial<ExecPlanInput> = {}): ExecPlanInput => ({
    process: process0,
    setsid: false,
    namespaces: [{ type: 'mount', path: '/proc/42/ns/mnt' }, { type: 'pid', path: '/proc/42/ns/pid' }],
    cgroupProcsFiles: ['/sys/fs/cgroup/berth/c1/cgroup.procs'],
    foreground: true,
    ...extra,
  });

  it('joins the container\'s namespaces, creates none, and sets up only the process', () => {
    const records = buildExecPlan(execInput({ process: { ...process0, oomScoreAdj: 100 } }));
    assert.deepEqual(typeNames(records), [
      'Foreground', 'NamespaceJoin', 'NamespaceJoin', 'CloneFlags', 'CgroupProcs', 'OomScoreAdj', 'User', 'Cwd', 'Env', 'Env', 'Arg', 'Arg', 'Arg',
    ]);
    assert.deepEqual(payloadsOf(records, PlanRecord.NamespaceJoin).map((p) => [p.readUInt32LE(0), cStrings(p, 4)]), [
      [CloneFlag.mount, ['/proc/42/ns/mnt']], [CloneFlag.pid, ['/proc/42/ns/pid']],
    ]);
    assert.deepEqual(u32s(payloadsOf(records, PlanRecord.CloneFlags)[0]!, 1), [0]);
    assert.deepEqual(cStrings(payloadsOf(records, PlanRecord.OomScoreAdj)[0]!), ['100']);
  });

  it('detached: no Foreground record', () => {
    assert.equal(typeNames(buildExecPlan(execInput({ foreground: false })))[0], 'NamespaceJoin');
  });

  it('refuses a terminal without a console socket, as for create', () => {
    assert.throws(() => buildExecPlan(execInput({ process: { ...process0, terminal: true } })), { name: 'InvalidArgument' });
  });
});

describe('startHookRecords', () => {
  const state: State = { ociVersion: '1.2.0', id: 'c1', status: 'created', pid: 42, bundle: '/b' };

  it('encodes timeout, argc, envc, then path, args, env and the state JSON', () => {
    const [first, second] = startHookRecords([
      { path: '/bin/hook', args: ['hook', '--flag'], env: ['A=1', 'B=2', 'C=3'], timeout: 5 },
      { path: '/bin/other' },
    ], state);
    assert.equal(first!.type, PlanRecord.StartHook);
    assert.deepEqual(u32s(first!.payload, 4), [5, 2, 3, 0]);
    assert.deepEqual(cStrings(first!.payload, 16), ['/bin/hook', 'hook', '--flag', 'A=1', 'B=2', 'C=3', JSON.stringify(state)]);
    // Without args, argv is just the path; without a timeout, 0.
    assert.deepEqual(u32s(second!.payload, 4), [0, 1, 0, 0]);
    assert.deepEqual(cStrings(second!.payload, 16), ['/bin/other', '/bin/other', JSON.stringify(state)]);
  });

  it('makes no records without hooks', () => {
    assert.deepEqual(startHookRecords(undefined, state), []);
    assert.deepEqual(startHookRecords([], state), []);
  });
});
