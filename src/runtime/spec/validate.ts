// Checks a parsed config.json against the runtime-spec before anything acts on it, so that a
// mistake is reported once, with the exact field, instead of surfacing later as an errno from
// some step of container creation. Unknown properties are ignored, as the spec requires of
// runtimes. The checks stop at the first problem found.

import { isAbsolute } from 'node:path';
import { InvalidArgument } from '../../errors.js';
import { checkCapabilityName } from '../capabilities.js';
import { hookKinds } from '../hooks.js';
import { rlimitNumber } from '../rlimits.js';
import type { NamespaceType, Process, SeccompAction, SeccompOperator, Spec } from './types.js';

export const namespaceTypes: readonly NamespaceType[] = [
  'pid',
  'network',
  'mount',
  'ipc',
  'uts',
  'user',
  'cgroup',
  'time',
];

const capabilitySets = ['bounding', 'effective', 'inheritable', 'permitted', 'ambient'] as const;

const rootfsPropagations = ['shared', 'slave', 'private', 'unbindable', 'rshared', 'rslave', 'rprivate', 'runbindable'];

/** Every seccomp action and operator the runtime-spec defines (what a runtime may support). */
export const seccompActions: readonly SeccompAction[] = [
  'SCMP_ACT_KILL',
  'SCMP_ACT_KILL_PROCESS',
  'SCMP_ACT_KILL_THREAD',
  'SCMP_ACT_TRAP',
  'SCMP_ACT_ERRNO',
  'SCMP_ACT_TRACE',
  'SCMP_ACT_ALLOW',
  'SCMP_ACT_LOG',
  'SCMP_ACT_NOTIFY',
];

export const seccompOperators: readonly SeccompOperator[] = [
  'SCMP_CMP_NE',
  'SCMP_CMP_LT',
  'SCMP_CMP_LE',
  'SCMP_CMP_EQ',
  'SCMP_CMP_GE',
  'SCMP_CMP_GT',
  'SCMP_CMP_MASKED_EQ',
];

const ioPriorityClasses = ['IOPRIO_CLASS_RT', 'IOPRIO_CLASS_BE', 'IOPRIO_CLASS_IDLE'];

/** IDs are unsigned 32-bit in the kernel. */
const maxId = 2 ** 32 - 1;
/** The kernel accepts at most this many lines in uid_map/gid_map (since Linux 4.15). */
const maxIdMappings = 340;

/** Sysctls that belong to the IPC namespace (from runc's libcontainer/configs/validate). */
const ipcSysctls = new Set([
  'kernel.msgmax',
  'kernel.msgmnb',
  'kernel.msgmni',
  'kernel.sem',
  'kernel.shmall',
  'kernel.shmmax',
  'kernel.shmmni',
  'kernel.shm_rmid_forced',
]);

type JsonObject = Record<string, unknown>;

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Field checks that all report as "<source>: <field> <problem>". */
class FieldChecks {
  constructor(readonly source: string) {}

  fail(field: string, problem: string): never {
    throw new InvalidArgument(`${this.source}: ${field} ${problem}`);
  }

  object(value: unknown, field: string): JsonObject {
    if (!isObject(value)) this.fail(field, 'must be an object');
    return value;
  }

  optionalObject(value: unknown, field: string): JsonObject | undefined {
    return value === undefined ? undefined : this.object(value, field);
  }

  array(value: unknown, field: string, what: string): unknown[] {
    if (!Array.isArray(value)) this.fail(field, `must be an array of ${what}`);
    return value;
  }

  optionalArray(value: unknown, field: string, what: string): unknown[] {
    return value === undefined ? [] : this.array(value, field, what);
  }

  string(value: unknown, field: string): string {
    if (typeof value !== 'string') this.fail(field, 'must be a string');
    return value;
  }

  optionalString(value: unknown, field: string): void {
    if (value !== undefined) this.string(value, field);
  }

  optionalBoolean(value: unknown, field: string): void {
    if (value !== undefined && typeof value !== 'boolean') this.fail(field, 'must be true or false');
  }

  integer(value: unknown, field: string, min: number, max: number, what = 'an integer'): number {
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
      this.fail(field, `must be ${what} (${describeRange(min, max)}), got ${JSON.stringify(value)}`);
    }
    return value;
  }

  optionalInteger(value: unknown, field: string, min: number, max: number, what?: string): void {
    if (value !== undefined) this.integer(value, field, min, max, what);
  }

  id(value: unknown, field: string): number {
    return this.integer(value, field, 0, maxId, 'a non-negative integer');
  }

  absolutePath(value: unknown, field: string): string {
    if (typeof value !== 'string' || !isAbsolute(value)) {
      this.fail(field, `must be an absolute path, got ${JSON.stringify(value)}`);
    }
    return value;
  }

  stringArray(value: unknown, field: string): string[] {
    const items = this.array(value, field, 'strings');
    items.forEach((item, i) => {
      if (typeof item !== 'string') this.fail(`${field}[${i}]`, 'must be a string');
    });
    return items as string[];
  }

  optionalStringArray(value: unknown, field: string): string[] {
    return value === undefined ? [] : this.stringArray(value, field);
  }

  absolutePaths(value: unknown, field: string): void {
    this.optionalArray(value, field, 'absolute paths').forEach((item, i) => this.absolutePath(item, `${field}[${i}]`));
  }

  /** An environment list: "KEY=value" entries, as environ(7) holds them. */
  environment(value: unknown, field: string): void {
    this.optionalStringArray(value, field).forEach((entry, i) => {
      if (entry.indexOf('=') <= 0) {
        this.fail(`${field}[${i}]`, `${JSON.stringify(entry)} must have the form KEY=value`);
      }
    });
  }

  stringMap(value: unknown, field: string): JsonObject | undefined {
    const map = this.optionalObject(value, field);
    for (const [key, item] of Object.entries(map ?? {})) {
      if (key === '') this.fail(field, 'must not have an empty key');
      if (typeof item !== 'string') this.fail(`${field}[${JSON.stringify(key)}]`, 'must be a string');
    }
    return map;
  }

  oneOf<T extends string>(value: unknown, field: string, allowed: readonly T[], what: string): T {
    if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
      this.fail(field, `${JSON.stringify(value)} is not ${what} (${allowed.join(', ')})`);
    }
    return value as T;
  }
}

function describeRange(min: number, max: number): string {
  if (max === Number.MAX_SAFE_INTEGER || max === Infinity) return `at least ${min}`;
  return `${min} to ${max}`;
}

/**
 * Checks that `value` (parsed config.json) is a valid OCI runtime config for Linux and returns it
 * typed. Throws InvalidArgument naming `source` and the offending field.
 */
export function validateSpec(value: unknown, source = 'config.json'): Spec {
  const check = new FieldChecks(source);
  if (!isObject(value)) throw new InvalidArgument(`${source}: the configuration must be a JSON object`);

  checkVersion(check, value.ociVersion);
  checkRoot(check, value.root);
  checkProcess(check, value.process);
  check.optionalString(value.hostname, 'hostname');
  check.optionalString(value.domainname, 'domainname');
  check.optionalArray(value.mounts, 'mounts', 'mounts').forEach((mount, i) => checkMount(check, mount, `mounts[${i}]`));
  checkHooks(check, value.hooks);
  check.stringMap(value.annotations, 'annotations');
  const linux = check.optionalObject(value.linux, 'linux');
  const namespaces = checkLinux(check, linux ?? {});
  checkNamespaceDependencies(check, value, linux ?? {}, namespaces);
  return value as unknown as Spec;
}

/** Validates a process description on its own (an `exec --process` file, or exec's merge). */
export function validateProcess(value: unknown, source = 'process'): Process {
  checkProcess(new FieldChecks(source), value);
  return value as Process;
}

function checkVersion(check: FieldChecks, version: unknown): void {
  if (version === undefined) check.fail('ociVersion', 'is required');
  if (typeof version !== 'string' || !version.startsWith('1.')) {
    check.fail('ociVersion', `${JSON.stringify(version)} is not a 1.x runtime-spec version`);
  }
}

function checkRoot(check: FieldChecks, value: unknown): void {
  if (value === undefined) check.fail('root', 'is required: it names the container\'s root filesystem');
  const root = check.object(value, 'root');
  if (root.path === undefined) check.fail('root.path', 'is required');
  if (typeof root.path !== 'string' || root.path === '') check.fail('root.path', 'must be a non-empty string');
  check.optionalBoolean(root.readonly, 'root.readonly');
}

function checkProcess(check: FieldChecks, value: unknown): void {
  // The spec makes process optional until `start`; berth-runtime's create prepares the process,
  // so it needs it up front, as runc does.
  if (value === undefined) check.fail('process', 'is required');
  const process = check.object(value, 'process');

  check.optionalBoolean(process.terminal, 'process.terminal');
  const consoleSize = check.optionalObject(process.consoleSize, 'process.consoleSize');
  if (consoleSize) {
    check.integer(consoleSize.height, 'process.consoleSize.height', 0, 65535);
    check.integer(consoleSize.width, 'process.consoleSize.width', 0, 65535);
  }

  if (process.user === undefined) check.fail('process.user', 'is required');
  const user = check.object(process.user, 'process.user');
  check.id(user.uid, 'process.user.uid');
  check.id(user.gid, 'process.user.gid');
  check.optionalInteger(user.umask, 'process.user.umask', 0, 0o777, 'a file mode mask');
  check
    .optionalArray(user.additionalGids, 'process.user.additionalGids', 'group IDs')
    .forEach((gid, i) => check.id(gid, `process.user.additionalGids[${i}]`));
  check.optionalString(user.username, 'process.user.username');

  const args = process.args;
  if (!Array.isArray(args) || args.length === 0 || !args.every((arg) => typeof arg === 'string')) {
    check.fail('process.args', 'must be a non-empty array of strings');
  }
  check.environment(process.env, 'process.env');
  if (process.cwd === undefined) check.fail('process.cwd', 'is required');
  check.absolutePath(process.cwd, 'process.cwd');

  const capabilities = check.optionalObject(process.capabilities, 'process.capabilities');
  for (const set of capabilitySets) {
    const field = `process.capabilities.${set}`;
    check
      .optionalArray(capabilities?.[set], field, 'capability names')
      .forEach((name, i) => checkCapabilityName(name, `${check.source}: ${field}[${i}]`));
  }

  const seenRlimits = new Map<string, number>();
  check.optionalArray(process.rlimits, 'process.rlimits', 'rlimits').forEach((item, i) => {
    const field = `process.rlimits[${i}]`;
    const rlimit = check.object(item, field);
    const type = check.string(rlimit.type, `${field}.type`);
    rlimitNumber(type, `${check.source}: ${field}.type`);
    const previous = seenRlimits.get(type);
    if (previous !== undefined) check.fail(`${field}.type`, `"${type}" repeats process.rlimits[${previous}]`);
    seenRlimits.set(type, i);
    // No upper bound: the unlimited value 2^64-1 arrives from JSON as the double 2^64.
    const soft = check.integer(rlimit.soft, `${field}.soft`, 0, Infinity, 'a non-negative integer');
    const hard = check.integer(rlimit.hard, `${field}.hard`, 0, Infinity, 'a non-negative integer');
    if (soft > hard) check.fail(field, `has a soft limit (${soft}) above its hard limit (${hard})`);
  });

  check.optionalBoolean(process.noNewPrivileges, 'process.noNewPrivileges');
  check.optionalString(process.apparmorProfile, 'process.apparmorProfile');
  check.optionalString(process.selinuxLabel, 'process.selinuxLabel');
  check.optionalInteger(process.oomScoreAdj, 'process.oomScoreAdj', -1000, 1000);
  const ioPriority = check.optionalObject(process.ioPriority, 'process.ioPriority');
  if (ioPriority) {
    check.oneOf(ioPriority.class, 'process.ioPriority.class', ioPriorityClasses, 'an I/O priority class');
    check.integer(ioPriority.priority, 'process.ioPriority.priority', 0, 7);
  }
}

function checkMount(check: FieldChecks, value: unknown, field: string): void {
  const mount = check.object(value, field);
  // The spec (1.1) still tolerates relative destinations as relative to "/", but deprecates
  // them; berth rejects them so that every mount target is unambiguous.
  if (mount.destination === undefined) check.fail(`${field}.destination`, 'is required');
  check.absolutePath(mount.destination, `${field}.destination`);
  check.optionalString(mount.type, `${field}.type`);
  check.optionalString(mount.source, `${field}.source`);
  check.optionalStringArray(mount.options, `${field}.options`);
  checkIdMappings(check, mount.uidMappings, `${field}.uidMappings`);
  checkIdMappings(check, mount.gidMappings, `${field}.gidMappings`);
}

function checkHooks(check: FieldChecks, value: unknown): void {
  const hooks = check.optionalObject(value, 'hooks');
  if (!hooks) return;
  for (const kind of hookKinds) {
    check.optionalArray(hooks[kind], `hooks.${kind}`, 'hooks').forEach((item, i) => {
      const field = `hooks.${kind}[${i}]`;
      const hook = check.object(item, field);
      if (hook.path === undefined) check.fail(`${field}.path`, 'is required');
      check.absolutePath(hook.path, `${field}.path`);
      check.optionalStringArray(hook.args, `${field}.args`);
      check.environment(hook.env, `${field}.env`);
      check.optionalInteger(hook.timeout, `${field}.timeout`, 1, Number.MAX_SAFE_INTEGER, 'a whole number of seconds');
    });
  }
}

/** Checks mappings for shape and for overlaps, which the kernel rejects when writing uid_map. */
function checkIdMappings(check: FieldChecks, value: unknown, field: string): number {
  const items = check.optionalArray(value, field, 'ID mappings');
  if (items.length > maxIdMappings) check.fail(field, `has ${items.length} entries; the kernel accepts at most ${maxIdMappings}`);
  const mappings = items.map((item, i) => {
    const mapping = check.object(item, `${field}[${i}]`);
    const containerID = check.id(mapping.containerID, `${field}[${i}].containerID`);
    const hostID = check.id(mapping.hostID, `${field}[${i}].hostID`);
    const size = check.integer(mapping.size, `${field}[${i}].size`, 1, maxId, 'a positive integer');
    for (const [name, start] of [['containerID', containerID], ['hostID', hostID]] as const) {
      if (start + size - 1 > maxId) check.fail(`${field}[${i}]`, `maps ${name}s beyond ${maxId}`);
    }
    return { containerID, hostID, size };
  });
  for (let i = 0; i < mappings.length; i++) {
    for (let j = 0; j < i; j++) {
      for (const key of ['containerID', 'hostID'] as const) {
        const a = mappings[j]!;
        const b = mappings[i]!;
        if (a[key] < b[key] + b.size && b[key] < a[key] + a.size) {
          check.fail(
            `${field}[${i}]`,
            `overlaps ${field}[${j}] (${key}s ${b[key]}-${b[key] + b.size - 1} and ${a[key]}-${a[key] + a.size - 1})`,
          );
        }
      }
    }
  }
  return mappings.length;
}

interface NamespaceSummary {
  /** Index in linux.namespaces of each type present. */
  present: Map<NamespaceType, { index: number; path: string | undefined }>;
}

function checkLinux(check: FieldChecks, linux: JsonObject): NamespaceSummary {
  const present = new Map<NamespaceType, { index: number; path: string | undefined }>();
  check.optionalArray(linux.namespaces, 'linux.namespaces', 'namespaces').forEach((item, i) => {
    const field = `linux.namespaces[${i}]`;
    const namespace = check.object(item, field);
    const type = check.oneOf(namespace.type, `${field}.type`, namespaceTypes, 'a namespace type');
    if (namespace.path !== undefined) check.absolutePath(namespace.path, `${field}.path`);
    const previous = present.get(type);
    if (previous) check.fail(`${field}.type`, `"${type}" repeats linux.namespaces[${previous.index}]`);
    present.set(type, { index: i, path: namespace.path as string | undefined });
  });

  const uidCount = checkIdMappings(check, linux.uidMappings, 'linux.uidMappings');
  const gidCount = checkIdMappings(check, linux.gidMappings, 'linux.gidMappings');
  const user = present.get('user');
  if (user && user.path === undefined) {
    // A new user namespace with no mappings leaves every ID unmapped (the overflow ID 65534),
    // in which the container cannot even own its root filesystem.
    if (uidCount === 0) check.fail('linux.uidMappings', 'are required when a new user namespace is created');
    if (gidCount === 0) check.fail('linux.gidMappings', 'are required when a new user namespace is created');
  }
  if (!user && (uidCount > 0 || gidCount > 0)) {
    check.fail(uidCount > 0 ? 'linux.uidMappings' : 'linux.gidMappings', 'are set, but linux.namespaces has no user namespace');
  }

  check.optionalArray(linux.devices, 'linux.devices', 'devices').forEach((item, i) => {
    const field = `linux.devices[${i}]`;
    const device = check.object(item, field);
    const type = check.oneOf(device.type, `${field}.type`, ['c', 'b', 'u', 'p'], 'a device type');
    check.absolutePath(device.path, `${field}.path`);
    if (type !== 'p') {
      check.integer(device.major, `${field}.major`, 0, maxId, 'a non-negative integer');
      check.integer(device.minor, `${field}.minor`, 0, maxId, 'a non-negative integer');
    }
    check.optionalInteger(device.fileMode, `${field}.fileMode`, 0, 0o7777, 'a file mode');
    if (device.uid !== undefined) check.id(device.uid, `${field}.uid`);
    if (device.gid !== undefined) check.id(device.gid, `${field}.gid`);
  });

  check.optionalString(linux.cgroupsPath, 'linux.cgroupsPath');
  checkResources(check, linux.resources);
  if (linux.rootfsPropagation !== undefined) {
    check.oneOf(linux.rootfsPropagation, 'linux.rootfsPropagation', rootfsPropagations, 'a mount propagation');
  }
  checkSeccomp(check, linux.seccomp);
  check.stringMap(linux.sysctl, 'linux.sysctl');
  check.absolutePaths(linux.maskedPaths, 'linux.maskedPaths');
  check.absolutePaths(linux.readonlyPaths, 'linux.readonlyPaths');
  check.optionalString(linux.mountLabel, 'linux.mountLabel');
  return { present };
}

function checkResources(check: FieldChecks, value: unknown): void {
  const resources = check.optionalObject(value, 'linux.resources');
  if (!resources) return;
  const anyInteger = (item: unknown, field: string) =>
    check.optionalInteger(item, field, Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER);

  check.optionalArray(resources.devices, 'linux.resources.devices', 'device rules').forEach((item, i) => {
    const field = `linux.resources.devices[${i}]`;
    const rule = check.object(item, field);
    if (typeof rule.allow !== 'boolean') check.fail(`${field}.allow`, 'must be true or false');
    if (rule.type !== undefined) check.oneOf(rule.type, `${field}.type`, ['a', 'c', 'b'], 'a device rule type');
    // -1 and null both mean "any", as the Go bindings and runc accept.
    if (rule.major !== undefined && rule.major !== null) check.integer(rule.major, `${field}.major`, -1, maxId);
    if (rule.minor !== undefined && rule.minor !== null) check.integer(rule.minor, `${field}.minor`, -1, maxId);
    if (rule.access !== undefined && (typeof rule.access !== 'string' || !/^[rwm]*$/.test(rule.access))) {
      check.fail(`${field}.access`, `${JSON.stringify(rule.access)} must be made of the letters r, w and m`);
    }
  });

  const memory = check.optionalObject(resources.memory, 'linux.resources.memory');
  for (const key of ['limit', 'reservation', 'swap', 'kernel', 'kernelTCP']) {
    anyInteger(memory?.[key], `linux.resources.memory.${key}`);
  }
  check.optionalInteger(memory?.swappiness, 'linux.resources.memory.swappiness', 0, 100);
  for (const key of ['disableOOMKiller', 'useHierarchy', 'checkBeforeUpdate']) {
    check.optionalBoolean(memory?.[key], `linux.resources.memory.${key}`);
  }

  const cpu = check.optionalObject(resources.cpu, 'linux.resources.cpu');
  for (const key of ['shares', 'quota', 'burst', 'period', 'realtimeRuntime', 'realtimePeriod', 'idle']) {
    anyInteger(cpu?.[key], `linux.resources.cpu.${key}`);
  }
  check.optionalString(cpu?.cpus, 'linux.resources.cpu.cpus');
  check.optionalString(cpu?.mems, 'linux.resources.cpu.mems');

  const pids = check.optionalObject(resources.pids, 'linux.resources.pids');
  if (pids) check.integer(pids.limit, 'linux.resources.pids.limit', Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER);

  const blockIO = check.optionalObject(resources.blockIO, 'linux.resources.blockIO');
  check.optionalInteger(blockIO?.weight, 'linux.resources.blockIO.weight', 0, 10000);
  check.optionalInteger(blockIO?.leafWeight, 'linux.resources.blockIO.leafWeight', 0, 10000);
  for (const key of ['weightDevice', 'throttleReadBpsDevice', 'throttleWriteBpsDevice', 'throttleReadIOPSDevice', 'throttleWriteIOPSDevice']) {
    check.optionalArray(blockIO?.[key], `linux.resources.blockIO.${key}`, 'devices').forEach((item, i) => {
      const field = `linux.resources.blockIO.${key}[${i}]`;
      const device = check.object(item, field);
      check.integer(device.major, `${field}.major`, 0, maxId);
      check.integer(device.minor, `${field}.minor`, 0, maxId);
      if (key !== 'weightDevice') check.integer(device.rate, `${field}.rate`, 0, Number.MAX_SAFE_INTEGER);
    });
  }

  check.optionalArray(resources.hugepageLimits, 'linux.resources.hugepageLimits', 'hugepage limits').forEach((item, i) => {
    const field = `linux.resources.hugepageLimits[${i}]`;
    const limit = check.object(item, field);
    check.string(limit.pageSize, `${field}.pageSize`);
    check.integer(limit.limit, `${field}.limit`, Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER);
  });
  check.stringMap(resources.unified, 'linux.resources.unified');
}

function checkSeccomp(check: FieldChecks, value: unknown): void {
  const seccomp = check.optionalObject(value, 'linux.seccomp');
  if (!seccomp) return;
  if (seccomp.defaultAction === undefined) check.fail('linux.seccomp.defaultAction', 'is required');
  check.oneOf(seccomp.defaultAction, 'linux.seccomp.defaultAction', seccompActions, 'a seccomp action');
  check.optionalInteger(seccomp.defaultErrnoRet, 'linux.seccomp.defaultErrnoRet', 0, maxId);
  check.optionalStringArray(seccomp.architectures, 'linux.seccomp.architectures');
  check.optionalStringArray(seccomp.flags, 'linux.seccomp.flags');
  check.optionalString(seccomp.listenerPath, 'linux.seccomp.listenerPath');
  check.optionalArray(seccomp.syscalls, 'linux.seccomp.syscalls', 'syscall rules').forEach((item, i) => {
    const field = `linux.seccomp.syscalls[${i}]`;
    const rule = check.object(item, field);
    const names = check.stringArray(rule.names, `${field}.names`);
    if (names.length === 0) check.fail(`${field}.names`, 'must name at least one syscall');
    check.oneOf(rule.action, `${field}.action`, seccompActions, 'a seccomp action');
    check.optionalInteger(rule.errnoRet, `${field}.errnoRet`, 0, maxId);
    check.optionalArray(rule.args, `${field}.args`, 'argument conditions').forEach((argItem, j) => {
      const argField = `${field}.args[${j}]`;
      const arg = check.object(argItem, argField);
      // Six: the syscall argument registers seccomp_data.args holds.
      check.integer(arg.index, `${argField}.index`, 0, 5);
      check.integer(arg.value, `${argField}.value`, 0, Infinity, 'a non-negative integer');
      if (arg.valueTwo !== undefined) check.integer(arg.valueTwo, `${argField}.valueTwo`, 0, Infinity, 'a non-negative integer');
      check.oneOf(arg.op, `${argField}.op`, seccompOperators, 'a seccomp operator');
    });
  });
}

/** Fields that only make sense, or are only safe, in a namespace of the container's own. */
function checkNamespaceDependencies(
  check: FieldChecks,
  spec: JsonObject,
  linux: JsonObject,
  { present }: NamespaceSummary,
): void {
  if (typeof spec.hostname === 'string' && spec.hostname !== '' && !present.has('uts')) {
    check.fail('hostname', 'cannot be set without a uts namespace in linux.namespaces (it would rename the host)');
  }
  if (typeof spec.domainname === 'string' && spec.domainname !== '' && !present.has('uts')) {
    check.fail('domainname', 'cannot be set without a uts namespace in linux.namespaces (it would rename the host)');
  }

  // As runc does: a sysctl is only written if it belongs to a namespace the container has,
  // since otherwise the write would change the host.
  for (const key of Object.keys(isObject(linux.sysctl) ? linux.sysctl : {})) {
    const name = key.replaceAll('/', '.');
    const field = `linux.sysctl[${JSON.stringify(key)}]`;
    let namespace: NamespaceType;
    if (ipcSysctls.has(name) || name.startsWith('fs.mqueue.')) namespace = 'ipc';
    else if (name.startsWith('net.')) namespace = 'network';
    else if (name === 'kernel.domainname') namespace = 'uts';
    else if (name === 'kernel.hostname') check.fail(field, 'conflicts with the hostname field; set hostname instead');
    else check.fail(field, 'is not namespaced, so setting it would change the host');
    if (!present.has(namespace)) {
      check.fail(field, `needs a ${namespace} namespace in linux.namespaces (otherwise it would change the host)`);
    }
  }
}
