// A tiny tar writer for the layer tests: ustar headers, pax records for long names and xattrs,
// and no checks at all, so that hostile archives ("../x", links out of the root, lying size
// fields) can be written as easily as honest ones.
import { gzipSync } from 'node:zlib';
import { Readable } from 'node:stream';

export type TarType = 'file' | 'dir' | 'symlink' | 'hardlink' | 'char' | 'block' | 'fifo';

export interface TarSpec {
  name: string;
  type?: TarType;
  content?: string | Buffer;
  mode?: number;
  uid?: number;
  gid?: number;
  /** Seconds since the epoch. */
  mtime?: number;
  linkname?: string;
  devMajor?: number;
  devMinor?: number;
  xattrs?: Record<string, string | Buffer>;
  /** Written into the header's size field instead of the content's length (the content still follows). */
  sizeField?: number;
  /** Force a pax header for the name even when it fits the ustar fields. */
  paxName?: boolean;
}

const typeFlags: Record<TarType, string> = {
  file: '0',
  hardlink: '1',
  symlink: '2',
  char: '3',
  block: '4',
  dir: '5',
  fifo: '6',
};

function octal(value: number, width: number): string {
  return value.toString(8).padStart(width - 1, '0') + '\0';
}

function header(fields: {
  name: string;
  mode: number;
  uid: number;
  gid: number;
  size: number;
  mtime: number;
  typeflag: string;
  linkname: string;
  devMajor: number;
  devMinor: number;
}): Buffer {
  const block = Buffer.alloc(512);
  block.write(fields.name, 0, 100, 'utf8');
  block.write(octal(fields.mode, 8), 100, 'ascii');
  block.write(octal(fields.uid, 8), 108, 'ascii');
  block.write(octal(fields.gid, 8), 116, 'ascii');
  block.write(octal(fields.size, 12), 124, 'ascii');
  block.write(octal(fields.mtime, 12), 136, 'ascii');
  block.write('        ', 148, 'ascii'); // checksum counts as spaces while summing
  block.write(fields.typeflag, 156, 'ascii');
  block.write(fields.linkname, 157, 100, 'utf8');
  block.write('ustar\0', 257, 'ascii');
  block.write('00', 263, 'ascii');
  block.write(octal(fields.devMajor, 8), 329, 'ascii');
  block.write(octal(fields.devMinor, 8), 337, 'ascii');
  let sum = 0;
  for (const byte of block) sum += byte;
  block.write(octal(sum, 7) + ' ', 148, 'ascii');
  return block;
}

function padded(data: Buffer): Buffer {
  const rest = data.length % 512;
  return rest === 0 ? data : Buffer.concat([data, Buffer.alloc(512 - rest)]);
}

/** One pax record, "<len> <key>=<value>\n", where len counts itself. */
function paxRecord(key: string, value: Buffer): Buffer {
  const body = Buffer.concat([Buffer.from(` ${key}=`), value, Buffer.from('\n')]);
  let length = body.length + 1;
  while (String(length).length + body.length !== length) length++;
  return Buffer.concat([Buffer.from(String(length)), body]);
}

export function tarEntry(spec: TarSpec): Buffer {
  const type = spec.type ?? (spec.name.endsWith('/') ? 'dir' : 'file');
  const content = spec.content === undefined ? Buffer.alloc(0) : Buffer.from(spec.content);
  const linkname = spec.linkname ?? '';
  const records: Buffer[] = [];
  const nameTooLong = Buffer.byteLength(spec.name) > 100 || spec.paxName;
  if (nameTooLong) records.push(paxRecord('path', Buffer.from(spec.name)));
  if (Buffer.byteLength(linkname) > 100) records.push(paxRecord('linkpath', Buffer.from(linkname)));
  for (const [key, value] of Object.entries(spec.xattrs ?? {})) {
    records.push(paxRecord(`SCHILY.xattr.${key}`, Buffer.from(value)));
  }
  const common = {
    mode: spec.mode ?? (type === 'dir' ? 0o755 : 0o644),
    uid: spec.uid ?? 0,
    gid: spec.gid ?? 0,
    mtime: spec.mtime ?? 1_700_000_000,
    devMajor: spec.devMajor ?? 0,
    devMinor: spec.devMinor ?? 0,
  };
  const parts: Buffer[] = [];
  if (records.length > 0) {
    const pax = Buffer.concat(records);
    parts.push(header({ ...common, name: 'PaxHeaders/x', size: pax.length, typeflag: 'x', linkname: '' }), padded(pax));
  }
  parts.push(
    header({
      ...common,
      name: nameTooLong ? spec.name.slice(0, 99) : spec.name,
      size: spec.sizeField ?? content.length,
      typeflag: typeFlags[type],
      linkname: Buffer.byteLength(linkname) > 100 ? linkname.slice(0, 99) : linkname,
    }),
    padded(content),
  );
  return Buffer.concat(parts);
}

/** A whole archive: the entries, then the two zero blocks that end it. */
export function tarArchive(specs: TarSpec[]): Buffer {
  return Buffer.concat([...specs.map(tarEntry), Buffer.alloc(1024)]);
}

export function gzipArchive(specs: TarSpec[]): Buffer {
  return gzipSync(tarArchive(specs));
}

/** A readable of `data` in small chunks, so that parsing sees split headers and bodies. */
export function streamOf(data: Buffer, chunkSize = 700): Readable {
  const chunks: Buffer[] = [];
  for (let i = 0; i < data.length; i += chunkSize) chunks.push(data.subarray(i, i + chunkSize));
  return Readable.from(chunks, { objectMode: false });
}
