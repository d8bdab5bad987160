// Decodes plan records the way berth-init reads them (native/include/berth_protocol.h), so that
// tests check payload bytes rather than the helpers that wrote them.
import { PlanRecord, type PlanRecordBytes } from '../../../src/runtime/process/protocol.js';

const names = new Map<number, string>(Object.entries(PlanRecord).map(([name, type]) => [type, name]));

/** The record type's name in PlanRecord ("Mount", "CloneFlags", ...). */
export function recordName(type: number): string {
  const name = names.get(type);
  if (name === undefined) throw new Error(`unknown plan record type ${type}`);
  return name;
}

export const typeNames = (records: PlanRecordBytes[]): string[] => records.map((r) => recordName(r.type));

/** The payloads of every record of one type. */
export function payloadsOf(records: PlanRecordBytes[], type: number): Buffer[] {
  return records.filter((r) => r.type === type).map((r) => r.payload);
}

/** NUL-terminated strings from `offset` to the end; throws if the last one is not terminated. */
export function cStrings(payload: Buffer, offset = 0): string[] {
  const text = payload.subarray(offset).toString('utf8');
  if (!text.endsWith('\0')) throw new Error(`payload does not end with NUL: ${JSON.stringify(text)}`);
  return text.slice(0, -1).split('\0');
}

export function u32s(payload: Buffer, count: number, offset = 0): number[] {
  return Array.from({ length: count }, (_, i) => payload.readUInt32LE(offset + 4 * i));
}

export function u64s(payload: Buffer, count: number, offset = 0): bigint[] {
  return Array.from({ length: count }, (_, i) => payload.readBigUInt64LE(offset + 8 * i));
}

export interface DecodedMount {
  kind: number;
  flags: bigint;
  remountFlags: bigint;
  propagation: bigint;
  source: string;
  target: string;
  fstype: string;
  data: string;
}

/** struct plan_mount (u32 kind, u32 reserved, u64 flags, remount_flags, propagation), then four strings. */
export function decodeMount(payload: Buffer): DecodedMount {
  assert0(payload.readUInt32LE(4), 'plan_mount.reserved');
  const [flags, remountFlags, propagation] = u64s(payload, 3, 8) as [bigint, bigint, bigint];
  const strings = cStrings(payload, 32);
  if (strings.length !== 4) throw new Error(`a mount has 4 strings, got ${strings.length}`);
  const [source, target, fstype, data] = strings as [string, string, string, string];
  return { kind: payload.readUInt32LE(0), flags, remountFlags, propagation, source, target, fstype, data };
}

export interface DecodedDevice {
  mode: number;
  major: number;
  minor: number;
  uid: number;
  gid: number;
  bindFromHost: number;
  path: string;
}

export function decodeDevice(payload: Buffer): DecodedDevice {
  const [mode, major, minor, uid, gid, bindFromHost] = u32s(payload, 6) as [number, number, number, number, number, number];
  const [path, ...rest] = cStrings(payload, 24);
  if (rest.length) throw new Error('a device has one path');
  return { mode, major, minor, uid, gid, bindFromHost, path: path! };
}

function assert0(value: number, what: string): void {
  if (value !== 0) throw new Error(`${what} must be 0, got ${value}`);
}
