// node-tar hands pax headers over as UTF-8 text, which garbles binary values such as
// security.capability. This scanner reads the same byte stream alongside node-tar, header by
// header, and keeps the raw bytes of each meta entry (pax, GNU long names) in the order node-tar
// reports them, so that extended attributes can be decoded from the bytes themselves.

const BLOCK = 512;
/** node-tar's default maxMetaEntrySize: larger meta entries are ignored, not reported. */
const maxMetaEntrySize = 1024 * 1024;
/** x, g: pax; X: old Solaris pax; L, K, N: GNU long names (node-tar's meta types). */
const metaTypes = new Set(['x', 'g', 'X', 'L', 'K', 'N']);

export class RawMetaHeaders {
  private header = Buffer.alloc(0);
  /** Bytes of the current entry's body still to come (captured or skipped), and its padding. */
  private bodyLeft = 0;
  private paddingLeft = 0;
  private capture: Buffer[] | undefined;
  private captured: Buffer[] = [];
  /** A pax `size=` for the next entry (x) or all entries (g), as node-tar applies them. */
  private nextSize: number | undefined;
  private globalSize: number | undefined;

  /** Feeds the bytes node-tar is about to parse. */
  push(chunk: Buffer): void {
    let offset = 0;
    while (offset < chunk.length) {
      if (this.bodyLeft > 0) {
        const n = Math.min(this.bodyLeft, chunk.length - offset);
        this.capture?.push(chunk.subarray(offset, offset + n));
        this.bodyLeft -= n;
        offset += n;
        if (this.bodyLeft === 0) this.finishBody();
        continue;
      }
      if (this.paddingLeft > 0) {
        const n = Math.min(this.paddingLeft, chunk.length - offset);
        this.paddingLeft -= n;
        offset += n;
        continue;
      }
      const n = Math.min(BLOCK - this.header.length, chunk.length - offset);
      this.header = Buffer.concat([this.header, chunk.subarray(offset, offset + n)]);
      offset += n;
      if (this.header.length === BLOCK) this.readHeader();
    }
  }

  /** The raw bytes of the next meta entry node-tar reports, in order. */
  takeNext(): Buffer | undefined {
    return this.captured.shift();
  }

  private readHeader(): void {
    const block = this.header;
    this.header = Buffer.alloc(0);
    if (block.every((b) => b === 0)) return; // end-of-archive blocks
    const type = String.fromCharCode(block[156]!);
    let size = readNumber(block.subarray(124, 136));
    const isMeta = metaTypes.has(type);
    if (!isMeta) {
      size = this.nextSize ?? this.globalSize ?? size;
      this.nextSize = undefined;
    }
    this.bodyLeft = size;
    this.paddingLeft = (BLOCK - (size % BLOCK)) % BLOCK;
    this.capture = isMeta && size > 0 && size <= maxMetaEntrySize ? [] : undefined;
    this.pendingType = type;
    if (size === 0) this.finishBody();
  }

  private pendingType = '';

  private finishBody(): void {
    if (!this.capture) return;
    const body = Buffer.concat(this.capture);
    this.capture = undefined;
    this.captured.push(body);
    if (this.pendingType === 'x' || this.pendingType === 'X') this.nextSize = paxSize(body) ?? this.nextSize;
    if (this.pendingType === 'g') this.globalSize = paxSize(body) ?? this.globalSize;
  }
}

/** An octal field, or a base-256 one (high bit of the first byte set), as tar writes sizes. */
function readNumber(field: Buffer): number {
  if (field[0]! & 0x80) {
    let value = 0;
    for (let i = 1; i < field.length; i++) value = value * 256 + field[i]!;
    return value;
  }
  const text = field.toString('latin1').replace(/[\0 ].*$/s, '').trim();
  return text ? parseInt(text, 8) : 0;
}

/** The `size` record of a pax header, if it has one. */
function paxSize(body: Buffer): number | undefined {
  const match = /(?:^|\n)\d+ size=(\d+)\n/.exec(body.toString('latin1'));
  return match ? Number(match[1]) : undefined;
}
