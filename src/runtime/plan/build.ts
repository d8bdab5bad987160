// Turns a validated OCI spec into berth-init's plan: every decision about a container's
// setup is made here, in TypeScript; berth-init only carries the records out in order.
import { isAbsolute, join, resolve } from 'node:path';
import { existsSync, statSync } from 'node:fs';
import { InvalidArgument } from '../../errors.js';
import type { Hook, Mount, NamespaceType, Process, Spec, State } from '../spec/types.js';
import type { CgroupHierarchy } from '../cgroups/index.js';
import { capabilityMask } from '../capabilities.js';
import { rlimitNumber, rlimitValue } from '../rlimits.js';
import {
  CloneFlag, MountKind, PlanRecord, UMASK_KEEP, cString, u32, u64, type PlanRecordBytes,
} from '../process/protocol.js';
import { MS, parseMountOptions, propagationFlags } from './mount-options.js';
import { containerDevices, defaultDevLinks, deviceModeBits } from './devices.js';
import { sysctlWrites } from './sysctl.js';

export interface SeccompProgram {
  program: Buffer;
  flags: number;
}

export interface ProcessPlanInput {
  process: Process;
  seccomp?: SeccompProgram | undefined;
  consoleSocket?: string | undefined;
  /** True for a container's init, which leads its own session. */
  setsid: boolean;
}

export interface CreatePlanInput extends ProcessPlanInput {
  spec: Spec;
  bundle: string;
  rootfs: string;
  execFifo: string;
  cgroupProcsFiles: string[];
  cgroupHierarchies: CgroupHierarchy[];
  foreground: boolean;
  /**
   * Pause before pivot_root so the runtime can run prestart/createRuntime/createContainer hooks
   * and send the startContainer hooks, whose state needs the pid known only by then.
   */
  pauseForHooks: boolean;
}

export interface ExecPlanInput extends ProcessPlanInput {
  /** Namespaces of the container's init to join, as /proc/<pid>/ns/<name> paths. */
  namespaces: { type: NamespaceType; path: string }[];
  cgroupProcsFiles: string[];
  foreground: boolean;
}

const record = (type: number, payload: Buffer = Buffer.alloc(0)): PlanRecordBytes => ({ type, payload });

export function buildCreatePlan(input: CreatePlanInput): PlanRecordBytes[] {
  const { spec } = input;
  const linux = spec.linux ?? {};
  const namespaces = linux.namespaces ?? [];
  const created = new Set(namespaces.filter((n) => !n.path).map((n) => n.type));
  const records: PlanRecordBytes[] = [];

  if (input.foreground) records.push(record(PlanRecord.Foreground));
  records.push(record(PlanRecord.ExecFifo, cString(input.execFifo)));

  let cloneFlags = 0;
  for (const ns of namespaces) {
    if (ns.path) records.push(record(PlanRecord.NamespaceJoin, Buffer.concat([u32(CloneFlag[ns.type]), cString(ns.path)])));
    else cloneFlags |= CloneFlag[ns.type];
  }
  records.push(record(PlanRecord.CloneFlags, u32(cloneFlags)));
  if (created.has('user')) {
    records.push(record(PlanRecord.UidMap, cString(idMapText(linux.uidMappings ?? []))));
    records.push(record(PlanRecord.GidMap, cString(idMapText(linux.gidMappings ?? []))));
  }
  for (const file of input.cgroupProcsFiles) records.push(record(PlanRecord.CgroupProcs, cString(file)));
  if (input.process.oomScoreAdj !== undefined) {
    records.push(record(PlanRecord.OomScoreAdj, cString(String(input.process.oomScoreAdj))));
  }

  records.push(record(PlanRecord.Rootfs, cString(input.rootfs)));
  const propagation = linux.rootfsPropagation
    ? propagationFlags(linux.rootfsPropagation, 'linux.rootfsPropagation')
    : MS.SLAVE | MS.REC;
  records.push(record(PlanRecord.RootfsPropagation, u64(propagation)));
  const inUserNamespace = created.has('user') || namespaces.some((n) => n.type === 'user');
  records.push(...mountRecords(spec.mounts ?? [], input, created.has('cgroup')));
  if ((spec.mounts ?? []).some((m) => m.destination === '/dev')) {
    records.push(...deviceRecords(spec, inUserNamespace));
  }
  if (input.pauseForHooks) records.push(record(PlanRecord.HookPause));
  records.push(record(PlanRecord.PivotRoot));
  for (const path of linux.maskedPaths ?? []) records.push(record(PlanRecord.MaskPath, cString(path)));
  for (const path of linux.readonlyPaths ?? []) records.push(record(PlanRecord.ReadonlyPath, cString(path)));
  if (spec.root?.readonly) records.push(record(PlanRecord.RootReadonly));
  // Empty means "leave it", as in runc (and validateSpec allows it without a uts namespace).
  if (spec.hostname) {
    if (!created.has('uts')) throw new InvalidArgument('hostname: setting it needs the container\'s own uts namespace');
    records.push(record(PlanRecord.Hostname, cString(spec.hostname)));
  }
  if (spec.domainname) {
    if (!created.has('uts')) throw new InvalidArgument('domainname: setting it needs the container\'s own uts namespace');
    records.push(record(PlanRecord.Domainname, cString(spec.domainname)));
  }
  for (const [path, value] of sysctlWrites(linux.sysctl, created)) {
    records.push(record(PlanRecord.Sysctl, cString(path, value)));
  }
  records.push(...processRecords(input));
  return records;
}

export function buildExecPlan(input: ExecPlanInput): PlanRecordBytes[] {
  const records: PlanRecordBytes[] = [];
  if (input.foreground) records.push(record(PlanRecord.Foreground));
  for (const ns of input.namespaces) {
    records.push(record(PlanRecord.NamespaceJoin, Buffer.concat([u32(CloneFlag[ns.type]), cString(ns.path)])));
  }
  records.push(record(PlanRecord.CloneFlags, u32(0)));
  for (const file of input.cgroupProcsFiles) records.push(record(PlanRecord.CgroupProcs, cString(file)));
  if (input.process.oomScoreAdj !== undefined) {
    records.push(record(PlanRecord.OomScoreAdj, cString(String(input.process.oomScoreAdj))));
  }
  records.push(...processRecords(input));
  return records;
}

function idMapText(mappings: { containerID: number; hostID: number; size: number }[]): string {
  return mappings.map((m) => `${m.containerID} ${m.hostID} ${m.size}\n`).join('');
}

function processRecords(input: ProcessPlanInput): PlanRecordBytes[] {
  const p = input.process;
  const records: PlanRecordBytes[] = [];
  if (input.setsid || p.terminal) records.push(record(PlanRecord.Setsid));
  if (p.terminal) {
    if (!input.consoleSocket) {
      throw new InvalidArgument('process.terminal is true: a --console-socket is needed to receive the pty master');
    }
    records.push(record(PlanRecord.ConsoleSocket, cString(input.consoleSocket)));
    if (p.consoleSize) {
      const size = Buffer.alloc(4);
      size.writeUInt16LE(p.consoleSize.height, 0);
      size.writeUInt16LE(p.consoleSize.width, 2);
      records.push(record(PlanRecord.ConsoleSize, size));
    }
  }
  for (const r of p.rlimits ?? []) {
    const index = (p.rlimits ?? []).indexOf(r);
    const payload = Buffer.concat([u32(rlimitNumber(r.type, `process.rlimits[${index}].type`), 0), u64(rlimitValue(r.soft), rlimitValue(r.hard))]);
    records.push(record(PlanRecord.Rlimit, payload));
  }
  const groups = p.user.additionalGids ?? [];
  records.push(record(PlanRecord.User, Buffer.concat([
    // setgroups always runs, so that the runtime's own supplementary groups never leak in.
    u32(p.user.uid, p.user.gid, p.user.umask ?? UMASK_KEEP, groups.length),
    u32(...groups),
  ])));
  if (p.capabilities) {
    const c = p.capabilities;
    records.push(record(PlanRecord.Caps, u64(
      capabilityMask(c.bounding, 'process.capabilities.bounding'),
      capabilityMask(c.effective, 'process.capabilities.effective'),
      capabilityMask(c.permitted, 'process.capabilities.permitted'),
      capabilityMask(c.inheritable, 'process.capabilities.inheritable'),
      capabilityMask(c.ambient, 'process.capabilities.ambient'),
    )));
  }
  if (p.noNewPrivileges) records.push(record(PlanRecord.NoNewPrivs));
  if (input.seccomp) {
    records.push(record(PlanRecord.Seccomp, Buffer.concat([u32(input.seccomp.flags, 0), input.seccomp.program])));
  }
  records.push(record(PlanRecord.Cwd, cString(p.cwd)));
  for (const e of p.env ?? []) records.push(record(PlanRecord.Env, cString(e)));
  for (const a of p.args ?? []) records.push(record(PlanRecord.Arg, cString(a)));
  return records;
}

function mountRecord(kind: number, flags: bigint, remountFlags: bigint, propagation: bigint, source: string, target: string, fstype: string, data: string): PlanRecordBytes {
  const header = Buffer.concat([u32(kind, 0), u64(flags, remountFlags, propagation)]);
  return record(PlanRecord.Mount, Buffer.concat([header, cString(source, target, fstype, data)]));
}

function mountRecords(mounts: Mount[], input: CreatePlanInput, ownCgroupNamespace: boolean): PlanRecordBytes[] {
  const records: PlanRecordBytes[] = [];
  mounts.forEach((m, i) => {
    const field = `mounts[${i}]`;
    if (!isAbsolute(m.destination)) throw new InvalidArgument(`${field}.destination "${m.destination}" must be absolute`);
    const opts = parseMountOptions(m.options);
    const type = m.type ?? '';
    if (type === 'cgroup' || type === 'cgroup2') {
      records.push(...cgroupMountRecords(m.destination, opts.flags, input.cgroupHierarchies, ownCgroupNamespace));
      return;
    }
    const isBind = (opts.flags & MS.BIND) !== 0n || type === 'bind';
    if (isBind) {
      const source = resolve(input.bundle, m.source ?? '');
      if (!existsSync(source)) throw new InvalidArgument(`${field}.source ${source} does not exist`);
      // A bind ignores every flag but MS_REC; the others need a remount of the new mount.
      const rest = opts.flags & ~(MS.BIND | MS.REC | MS.REMOUNT);
      records.push(mountRecord(MountKind.Bind, MS.BIND | (opts.flags & MS.REC), rest, opts.propagation, source, m.destination, '', ''));
      return;
    }
    records.push(mountRecord(MountKind.Filesystem, opts.flags, 0n, opts.propagation, m.source ?? type, m.destination, type, opts.data));
  });
  return records;
}

/**
 * A cgroup mount shows the container its own cgroups. With its own cgroup namespace the
 * kernel roots a fresh cgroupfs there; without one, the container's directories are bound in.
 * On v1, a tmpfs at the destination holds one mount per hierarchy.
 */
function cgroupMountRecords(destination: string, flags: bigint, hierarchies: CgroupHierarchy[], ownNamespace: boolean): PlanRecordBytes[] {
  const readonly = flags & MS.RDONLY;
  const base = MS.NOSUID | MS.NODEV | MS.NOEXEC;
  const v2 = hierarchies.length === 1 && hierarchies[0]!.fstype === 'cgroup2';
  const records: PlanRecordBytes[] = [];
  if (v2) {
    const h = hierarchies[0]!;
    records.push(ownNamespace
      ? mountRecord(MountKind.Filesystem, base | readonly, 0n, 0n, 'cgroup', destination, 'cgroup2', '')
      : mountRecord(MountKind.Bind, MS.BIND, base | readonly, 0n, h.hostPath, destination, '', ''));
    return records;
  }
  records.push(mountRecord(MountKind.Filesystem, base, 0n, 0n, 'tmpfs', destination, 'tmpfs', 'mode=755'));
  // On a hybrid host the container still joins the unified hierarchy, but sees the v1 ones
  // only, as under runc: software inside picks v1 or v2 from what /sys/fs/cgroup shows.
  for (const h of hierarchies.filter((x) => x.fstype === 'cgroup')) {
    const target = join(destination, h.mountName);
    records.push(ownNamespace
      ? mountRecord(MountKind.Filesystem, base | readonly, 0n, 0n, 'cgroup', target, h.fstype, h.options)
      : mountRecord(MountKind.Bind, MS.BIND, base | readonly, 0n, h.hostPath, target, '', ''));
    // Co-mounted controllers ("cpu,cpuacct") are also reachable by each name, as on hosts.
    if (h.mountName.includes(',')) {
      for (const name of h.mountName.split(',')) {
        records.push(record(PlanRecord.Symlink, cString(h.mountName, join(destination, name))));
      }
    }
  }
  if (readonly) {
    records.push(mountRecord(MountKind.PropagationOnly, 0n, MS.RDONLY | base, 0n, '', destination, '', ''));
  }
  return records;
}

function deviceRecords(spec: Spec, inUserNamespace: boolean): PlanRecordBytes[] {
  const records: PlanRecordBytes[] = [];
  for (const d of containerDevices(spec.linux?.devices)) {
    // mknod is refused in a user namespace: bind the host's node instead, as runc does.
    const bind = inUserNamespace && existsSync(d.path) && statSync(d.path).isCharacterDevice() ? 1 : 0;
    const header = u32(deviceModeBits(d), d.major, d.minor, d.uid, d.gid, bind);
    records.push(record(PlanRecord.Device, Buffer.concat([header, cString(d.path)])));
  }
  for (const [target, path] of defaultDevLinks) records.push(record(PlanRecord.Symlink, cString(target, path)));
  if (existsSync('/proc/kcore')) records.push(record(PlanRecord.Symlink, cString('/proc/kcore', '/dev/core')));
  return records;
}

/**
 * startContainer hooks, sent with the runtime's "continue" once the container's pid is known:
 * berth-init runs them inside the container after `start`, before the user's program.
 */
export function startHookRecords(hooks: Hook[] | undefined, state: State): PlanRecordBytes[] {
  const stateJson = JSON.stringify(state);
  return (hooks ?? []).map((h) => {
    const args = h.args ?? [h.path];
    const env = h.env ?? [];
    const header = u32(h.timeout ?? 0, args.length, env.length, 0);
    return record(PlanRecord.StartHook, Buffer.concat([header, cString(h.path, ...args, ...env, stateJson)]));
  });
}
