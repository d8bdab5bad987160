// Docker's multiplexed stream (attach, exec and logs of a container without a TTY): each
// chunk is preceded by an 8-byte header, [stream, 0, 0, 0, size as u32 big-endian], where
// stream 0 is stdin (written to stdout, as docker's stdcopy does), 1 stdout, 2 stderr and 3 an
// error message from the daemon. Chunks from the network split headers and payloads anywhere,
// so the decoder keeps what it has not consumed.
export type StreamId = 0 | 1 | 2 | 3;

export interface StreamFrame {
  stream: StreamId;
  data: Buffer;
}

export class StreamDemuxer {
  private pending: Buffer = Buffer.alloc(0);

  /** Bytes received that do not yet make a whole frame. */
  get buffered(): number {
    return this.pending.length;
  }

  /** Feeds bytes; returns the frames they complete, in order. */
  push(chunk: Buffer): StreamFrame[] {
    this.pending = this.pending.length ? Buffer.concat([this.pending, chunk]) : chunk;
    const frames: StreamFrame[] = [];
    let offset = 0;
    while (this.pending.length - offset >= 8) {
      const stream = this.pending[offset]!;
      if (stream > 3) throw new Error(`unrecognized input header: ${stream}`);
      const size = this.pending.readUInt32BE(offset + 4);
      if (this.pending.length - offset - 8 < size) break;
      frames.push({ stream: stream as StreamId, data: this.pending.subarray(offset + 8, offset + 8 + size) });
      offset += 8 + size;
    }
    this.pending = this.pending.subarray(offset);
    return frames;
  }

  /** Called at the end of the stream: a partial frame left over means it was cut short. */
  finish(): void {
    if (this.pending.length) throw new Error(`stream ended inside a frame (${this.pending.length} bytes left over)`);
  }
}

/** Encodes one frame (tests, and anything that must speak the format). */
export function encodeFrame(stream: StreamId, data: Buffer | string): Buffer {
  const payload = typeof data === 'string' ? Buffer.from(data) : data;
  const header = Buffer.alloc(8);
  header[0] = stream;
  header.writeUInt32BE(payload.length, 4);
  return Buffer.concat([header, payload]);
}
