// The protocol between berthd and berth-monitor, mirrored from native/include/berth_monitor.h
// (change both together): records of {u32 type, u32 length, payload}, little-endian, on the
// monitor's unix socket. Clients send the container's pid, attach, stdin, resize and wait;
// the monitor answers ATTACH with ATTACHED, sends output and, once the container has exited, EXIT.

export const MonitorRecord = {
  /** u32: the container process, as the runtime reported it. */
  ContainerPid: 1,
  /** u32 AttachFlag bits: output produced from then on is sent to this client. */
  Attach: 2,
  /** Bytes for the container's stdin. */
  StdinData: 3,
  /** Close the container's stdin (Docker's StdinOnce); ignored with a tty. */
  StdinClose: 4,
  /** u16 rows, u16 cols: the pty's window size. */
  Resize: 5,
  /** Nothing: the client only wants EXIT. */
  Wait: 6,
  StdoutData: 101,
  StderrData: 102,
  /** i32 exit code (the code, or 128 + signal), u32 1 if the container was OOM-killed. */
  Exit: 103,
  /** Nothing: the answer to Attach; output produced after it is sent reaches the client. */
  Attached: 104,
} as const;
export type MonitorRecordType = (typeof MonitorRecord)[keyof typeof MonitorRecord];

export const AttachFlag = { Stdin: 1, Stdout: 2, Stderr: 4 } as const;

/** The monitor disconnects a client whose unsent output exceeds this. */
export const clientBufferMax = 1 << 20;
/** Bound on the payload of every record but StdinData (the monitor disconnects otherwise). */
export const controlPayloadMax = 64;
/** The monitor writes one byte to this fd, if open, once it listens. */
export const monitorReadyFd = 4;

export type { RecordBytes as MonitorRecordBytes } from '../wire/records.js';

export interface MonitorExit {
  exitCode: number;
  oomKilled: boolean;
}

export { encodeRecord } from '../wire/records.js';
import { encodeRecord } from '../wire/records.js';

function u32(value: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(value, 0);
  return b;
}

export function encodeContainerPid(pid: number): Buffer {
  return encodeRecord(MonitorRecord.ContainerPid, u32(pid));
}

export function encodeAttach(streams: { stdin?: boolean; stdout?: boolean; stderr?: boolean }): Buffer {
  const flags = (streams.stdin ? AttachFlag.Stdin : 0) | (streams.stdout ? AttachFlag.Stdout : 0) | (streams.stderr ? AttachFlag.Stderr : 0);
  return encodeRecord(MonitorRecord.Attach, u32(flags));
}

export function encodeResize(rows: number, cols: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt16LE(rows, 0);
  b.writeUInt16LE(cols, 2);
  return encodeRecord(MonitorRecord.Resize, b);
}

export function encodeExit(exit: MonitorExit): Buffer {
  const b = Buffer.alloc(8);
  b.writeInt32LE(exit.exitCode, 0);
  b.writeUInt32LE(exit.oomKilled ? 1 : 0, 4);
  return encodeRecord(MonitorRecord.Exit, b);
}

export function decodeExit(payload: Buffer): MonitorExit {
  if (payload.length < 8) throw new Error(`monitor EXIT record of ${payload.length} bytes`);
  return { exitCode: payload.readInt32LE(0), oomKilled: payload.readUInt32LE(4) !== 0 };
}

export { RecordReader as MonitorRecordReader } from '../wire/records.js';
