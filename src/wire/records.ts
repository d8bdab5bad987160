// The framing berth's C programs and TypeScript share (berth-init's plan and sync records, the
// monitor's protocol): {u32 type, u32 length, payload}, little-endian.

export interface RecordBytes {
  type: number;
  payload: Buffer;
}

export function encodeRecord(type: number, payload: Buffer = Buffer.alloc(0)): Buffer {
  const header = Buffer.alloc(8);
  header.writeUInt32LE(type, 0);
  header.writeUInt32LE(payload.length, 4);
  return payload.length ? Buffer.concat([header, payload]) : header;
}

/** Splits a byte stream into records; keeps an incomplete tail until the rest arrives. */
export class RecordReader {
  private pending: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): RecordBytes[] {
    this.pending = this.pending.length ? Buffer.concat([this.pending, chunk]) : chunk;
    const out: RecordBytes[] = [];
    while (this.pending.length >= 8) {
      const type = this.pending.readUInt32LE(0);
      const length = this.pending.readUInt32LE(4);
      if (this.pending.length < 8 + length) break;
      out.push({ type, payload: this.pending.subarray(8, 8 + length) });
      this.pending = this.pending.subarray(8 + length);
    }
    return out;
  }

  /** Bytes of an incomplete record still held. */
  get buffered(): number {
    return this.pending.length;
  }
}
