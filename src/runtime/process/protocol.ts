// The plan protocol between the TypeScript runtime and berth-init.
// Mirror of native/include/berth_protocol.h: change both together.

export const PlanRecord = {
  End: 0,
  Foreground: 1,
  CloneFlags: 2,
  NamespaceJoin: 3,
  UidMap: 4,
  GidMap: 5,
  SetgroupsDeny: 6,
  CgroupProcs: 7,
  OomScoreAdj: 8,
  ExecFifo: 9,
  Rootfs: 10,
  RootfsPropagation: 11,
  Mount: 12,
  Device: 13,
  Symlink: 14,
  HookPause: 15,
  PivotRoot: 16,
  MaskPath: 17,
  ReadonlyPath: 18,
  RootReadonly: 19,
  Hostname: 20,
  Domainname: 21,
  Sysctl: 22,
  ConsoleSocket: 23,
  ConsoleSize: 24,
  StartHook: 25,
  Rlimit: 26,
  User: 27,
  Caps: 28,
  NoNewPrivs: 29,
  Seccomp: 30,
  Cwd: 31,
  Env: 32,
  Arg: 33,
  Setsid: 34,
} as const;

export const SyncRecord = {
  Pid: 100,
  Hooks: 101,
  Continue: 102,
  Ready: 103,
  Error: 104,
  Exit: 105,
} as const;

export const MountKind = { Filesystem: 0, Bind: 1, PropagationOnly: 2 } as const;

export const UMASK_KEEP = 0xffffffff;
export const GROUPS_KEEP = 0xffffffff;

/** CLONE_NEW* flags, as the kernel numbers them. */
export const CloneFlag = {
  mount: 0x00020000,
  cgroup: 0x02000000,
  uts: 0x04000000,
  ipc: 0x08000000,
  user: 0x10000000,
  pid: 0x20000000,
  network: 0x40000000,
  time: 0x00000080,
} as const;

/** A record as berth-init reads it: a type and its payload. */
export type { RecordBytes as PlanRecordBytes } from '../../wire/records.js';
import type { RecordBytes as PlanRecordBytes } from '../../wire/records.js';
import { encodeRecord } from '../../wire/records.js';

export function cString(...strings: string[]): Buffer {
  return Buffer.concat(strings.map((s) => Buffer.from(`${s}\0`, 'utf8')));
}

export function u32(...values: number[]): Buffer {
  const b = Buffer.alloc(4 * values.length);
  values.forEach((v, i) => b.writeUInt32LE(v >>> 0, 4 * i));
  return b;
}

export function u64(...values: bigint[]): Buffer {
  const b = Buffer.alloc(8 * values.length);
  values.forEach((v, i) => b.writeBigUInt64LE(BigInt.asUintN(64, v), 8 * i));
  return b;
}

export function encodeRecords(records: PlanRecordBytes[]): Buffer {
  return Buffer.concat([...records, { type: PlanRecord.End, payload: Buffer.alloc(0) }].map((r) => encodeRecord(r.type, r.payload)));
}

/** berth-init's sync records arrive in the shared framing. */
export { RecordReader as SyncRecordReader } from '../../wire/records.js';
