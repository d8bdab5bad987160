import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  PlanRecord, SyncRecord, SyncRecordReader, cString, encodeRecords, u32, u64,
} from '../../../src/runtime/process/protocol.js';
import { decodeWaitStatus } from '../../../src/runtime/process/init-process.js';

/** One record as berth-init writes it: u32 type, u32 length, payload. */
function frame(type: number, payload: Buffer = Buffer.alloc(0)): Buffer {
  const header = Buffer.alloc(8);
  header.writeUInt32LE(type, 0);
  header.writeUInt32LE(payload.length, 4);
  return Buffer.concat([header, payload]);
}

describe('protocol encoding', () => {
  it('cString NUL-terminates each string, in UTF-8', () => {
    assert.deepEqual(cString('ab', '', 'é'), Buffer.from([0x61, 0x62, 0, 0, 0xc3, 0xa9, 0]));
    assert.deepEqual(cString(), Buffer.alloc(0));
  });

  it('u32 and u64 are little-endian; negative numbers wrap to their unsigned form', () => {
    assert.deepEqual(u32(1, 0x01020304), Buffer.from([1, 0, 0, 0, 4, 3, 2, 1]));
    assert.deepEqual(u32(-1), Buffer.from([0xff, 0xff, 0xff, 0xff]));
    assert.deepEqual(u64(0x0102030405060708n), Buffer.from([8, 7, 6, 5, 4, 3, 2, 1]));
    assert.deepEqual(u64(-1n), Buffer.alloc(8, 0xff));
    assert.deepEqual(u64(2n ** 64n - 1n), Buffer.alloc(8, 0xff));
  });

  it('encodeRecords writes type, length and payload for each record, then END', () => {
    const encoded = encodeRecords([
      { type: PlanRecord.Foreground, payload: Buffer.alloc(0) },
      { type: PlanRecord.Arg, payload: Buffer.from('sh\0') },
    ]);
    assert.deepEqual(encoded, Buffer.concat([
      Buffer.from([1, 0, 0, 0, 0, 0, 0, 0]),
      Buffer.from([33, 0, 0, 0, 3, 0, 0, 0]), Buffer.from('sh\0'),
      Buffer.from([0, 0, 0, 0, 0, 0, 0, 0]),
    ]));
  });

  it('encodes an empty plan as END alone', () => {
    assert.deepEqual(encodeRecords([]), Buffer.alloc(8));
  });

  it('keeps the record numbers of berth_protocol.h', () => {
    assert.equal(PlanRecord.Mount, 12);
    assert.equal(PlanRecord.Setsid, 34);
    assert.equal(SyncRecord.Pid, 100);
    assert.equal(SyncRecord.Exit, 105);
  });
});

describe('SyncRecordReader', () => {
  it('splits a chunk holding several records', () => {
    const reader = new SyncRecordReader();
    const records = reader.push(Buffer.concat([frame(SyncRecord.Pid, u32(4242)), frame(SyncRecord.Ready)]));
    assert.deepEqual(records.map((r) => r.type), [SyncRecord.Pid, SyncRecord.Ready]);
    assert.equal(records[0]!.payload.readUInt32LE(0), 4242);
    assert.equal(records[1]!.payload.length, 0);
  });

  it('keeps an incomplete header or payload until the rest arrives', () => {
    const bytes = Buffer.concat([frame(SyncRecord.Error, Buffer.concat([u32(127), Buffer.from('exec: sh: No such file')])), frame(SyncRecord.Hooks)]);
    const reader = new SyncRecordReader();
    assert.deepEqual(reader.push(bytes.subarray(0, 5)), []); // part of a header
    assert.deepEqual(reader.push(bytes.subarray(5, 14)), []); // header done, part of the payload
    const [error] = reader.push(bytes.subarray(14, bytes.length - 3)); // the first record, part of the second header
    assert.equal(error?.type, SyncRecord.Error);
    assert.equal(error?.payload.readUInt32LE(0), 127);
    assert.equal(error?.payload.subarray(4).toString(), 'exec: sh: No such file');
    assert.deepEqual(reader.push(bytes.subarray(bytes.length - 3)).map((r) => r.type), [SyncRecord.Hooks]);
  });

  it('gives the same records whatever the chunking, byte by byte included', () => {
    const bytes = Buffer.concat([frame(SyncRecord.Pid, u32(7)), frame(SyncRecord.Hooks), frame(SyncRecord.Exit, u32(0x0900))]);
    const reader = new SyncRecordReader();
    const seen: [number, string][] = [];
    for (let i = 0; i < bytes.length; i++) {
      for (const r of reader.push(bytes.subarray(i, i + 1))) seen.push([r.type, r.payload.toString('hex')]);
    }
    assert.deepEqual(seen, [[SyncRecord.Pid, '07000000'], [SyncRecord.Hooks, ''], [SyncRecord.Exit, '00090000']]);
  });

  it('returns nothing for an empty chunk', () => {
    assert.deepEqual(new SyncRecordReader().push(Buffer.alloc(0)), []);
  });
});

describe('decodeWaitStatus', () => {
  it('reads the exit code of a normal exit', () => {
    assert.deepEqual(decodeWaitStatus(0), { exitCode: 0 });
    assert.deepEqual(decodeWaitStatus(3 << 8), { exitCode: 3 });
    assert.deepEqual(decodeWaitStatus(255 << 8), { exitCode: 255 });
  });

  it('reports a signal death as 128 + the signal, as a shell does', () => {
    assert.deepEqual(decodeWaitStatus(9), { exitCode: 137, signal: 9 });
    assert.deepEqual(decodeWaitStatus(15), { exitCode: 143, signal: 15 });
  });

  it('ignores the core-dump bit', () => {
    assert.deepEqual(decodeWaitStatus(0x80 | 11), { exitCode: 139, signal: 11 });
  });
});
