// Encodes tar headers for the layers berth writes (commit, build): ustar headers, with a pax
// extended header in front when a field does not fit ustar (long or non-ASCII names and link
// targets, large ids or sizes) or the entry has extended attributes (SCHILY.xattr.<name>, as
// GNU tar, Go's archive/tar and so Docker write them). Written by hand rather than with
// node-tar's Pack: Pack reads the files itself (no whiteout entries, no xattrs, its own
// hard-link bookkeeping), and its Pax class knows no xattr records. Pax records are bytes here,
// so binary xattr values (security.capability) go through unmangled.
//
// The output depends only on the entry given, never on the clock or the host: the same
// changes always make the same layer, byte for byte (and so the same diff ID).

export type TarEntryType = 'file' | 'directory' | 'symlink' | 'hardlink' | 'char' | 'block' | 'fifo';

export interface TarHeaderEntry {
  /** Relative, '/'-separated, no leading "./" or "/"; directories without the trailing '/'. */
  path: string;
  type: TarEntryType;
  /** Permission and set-id bits (the type bits are dropped). */
  mode: number;
  uid: number;
  gid: number;
  /** Content bytes (files only; 0 for everything else). */
  size: number;
  /** Seconds since the epoch (whole seconds: sub-second times are not kept). */
  mtime: number;
  /** Symlink target, or the archive path a hard link points at. */
  linkname?: string;
  devMajor?: number;
  devMinor?: number;
  /** Extended attributes, written as pax SCHILY.xattr.<name> records in name order. */
  xattrs?: ReadonlyMap<string, Buffer>;
}

const typeFlags: Record<TarEntryType, string> = {
  file: '0',
  hardlink: '1',
  symlink: '2',
  char: '3',
  block: '4',
  directory: '5',
  fifo: '6',
};

export const tarBlockSize = 512;

/** The two zero blocks that end an archive. */
export const tarEndBlocks = (): Buffer => Buffer.alloc(2 * tarBlockSize);

/** Zero bytes that pad `size` content bytes to a whole block. */
export function tarPadding(size: number): Buffer {
  const rest = size % tarBlockSize;
  return Buffer.alloc(rest === 0 ? 0 : tarBlockSize - rest);
}

/** Largest value of an octal field `width` bytes wide (one byte for the terminator). */
const octalLimit = (width: number): number => 8 ** (width - 1) - 1;

function octal(value: number, width: number): string {
  return value.toString(8).padStart(width - 1, '0') + '\0';
}

const isAscii = (text: string): boolean => /^[\x20-\x7e]*$/.test(text);

/** Splits a name into ustar's prefix (155 bytes) and name (100 bytes) at a '/', if it can. */
export function splitUstarName(name: string): { prefix: string; name: string } | undefined {
  if (!isAscii(name)) return undefined;
  if (name.length <= 100) return { prefix: '', name };
  for (let i = name.length - 1; i > 0; i--) {
    if (name[i] !== '/') continue;
    const prefix = name.slice(0, i);
    const rest = name.slice(i + 1);
    if (rest.length === 0 || rest.length > 100) return undefined;
    if (prefix.length <= 155) return { prefix, name: rest };
  }
  return undefined;
}

/** One pax record, "<len> <key>=<value>\n", where len counts its own digits too. */
export function paxRecord(key: string, value: Buffer | string): Buffer {
  const body = Buffer.concat([Buffer.from(` ${key}=`, 'utf8'), Buffer.from(value), Buffer.from('\n')]);
  let length = body.length + 1;
  while (String(length).length + body.length !== length) length = String(length).length + body.length;
  return Buffer.concat([Buffer.from(String(length), 'ascii'), body]);
}

interface UstarFields {
  name: string;
  prefix: string;
  mode: number;
  uid: number;
  gid: number;
  size: number;
  mtime: number;
  typeflag: string;
  linkname: string;
  devMajor: number;
  devMinor: number;
}

function ustarHeader(fields: UstarFields): Buffer {
  const block = Buffer.alloc(tarBlockSize);
  block.write(fields.name, 0, 100, 'utf8');
  block.write(octal(fields.mode, 8), 100, 'ascii');
  block.write(octal(fields.uid, 8), 108, 'ascii');
  block.write(octal(fields.gid, 8), 116, 'ascii');
  block.write(octal(fields.size, 12), 124, 'ascii');
  block.write(octal(fields.mtime, 12), 136, 'ascii');
  block.write('        ', 148, 'ascii'); // the checksum field counts as spaces while summing
  block.write(fields.typeflag, 156, 'ascii');
  block.write(fields.linkname, 157, 100, 'utf8');
  block.write('ustar\0', 257, 'ascii');
  block.write('00', 263, 'ascii');
  block.write(octal(fields.devMajor, 8), 329, 'ascii');
  block.write(octal(fields.devMinor, 8), 337, 'ascii');
  block.write(fields.prefix, 345, 155, 'utf8');
  let sum = 0;
  for (const byte of block) sum += byte;
  block.write(octal(sum, 7) + ' ', 148, 'ascii');
  return block;
}

/** Clamps a numeric field to what ustar holds; the pax record carries the real value. */
function fits(value: number, width: number): boolean {
  return Number.isInteger(value) && value >= 0 && value <= octalLimit(width);
}

/**
 * The header block(s) of one entry: a pax header ('x') with its records when needed, then the
 * ustar header. The entry's content and tarPadding(size) follow it in the archive.
 */
export function encodeTarHeader(entry: TarHeaderEntry): Buffer {
  const archiveName = entry.type === 'directory' ? `${entry.path}/` : entry.path;
  const records: Buffer[] = [];

  let split = splitUstarName(archiveName);
  if (!split) {
    records.push(paxRecord('path', archiveName));
    split = { prefix: '', name: truncateUtf8(archiveName, 100) };
  }
  let linkname = entry.linkname ?? '';
  if (!isAscii(linkname) || linkname.length > 100) {
    records.push(paxRecord('linkpath', linkname));
    linkname = truncateUtf8(linkname, 100);
  }
  const numeric = (key: string, value: number, width: number): number => {
    if (fits(value, width)) return value;
    records.push(paxRecord(key, String(value)));
    return 0;
  };
  const uid = numeric('uid', entry.uid, 8);
  const gid = numeric('gid', entry.gid, 8);
  const size = numeric('size', entry.size, 12);
  const mtime = numeric('mtime', Math.max(0, Math.floor(entry.mtime)), 12);
  if (entry.xattrs) {
    for (const name of [...entry.xattrs.keys()].sort()) records.push(paxRecord(`SCHILY.xattr.${name}`, entry.xattrs.get(name)!));
  }

  const header = ustarHeader({
    ...split,
    mode: entry.mode & 0o7777,
    uid,
    gid,
    size,
    mtime,
    typeflag: typeFlags[entry.type],
    linkname,
    devMajor: entry.devMajor ?? 0,
    devMinor: entry.devMinor ?? 0,
  });
  if (records.length === 0) return header;

  const body = Buffer.concat(records);
  // Go's name for it ("PaxHeaders.0/<base>"), in a form any reader skips cleanly.
  const base = archiveName.replace(/\/+$/, '').split('/').pop() ?? '';
  const paxName = truncateUtf8(`PaxHeaders.0/${isAscii(base) ? base : 'entry'}`, 100);
  const paxHeader = ustarHeader({
    name: paxName,
    prefix: '',
    mode: 0o644,
    uid: 0,
    gid: 0,
    size: body.length,
    mtime,
    typeflag: 'x',
    linkname: '',
    devMajor: 0,
    devMinor: 0,
  });
  return Buffer.concat([paxHeader, body, tarPadding(body.length), header]);
}

/** At most `bytes` bytes of UTF-8, never cutting a character in half. */
function truncateUtf8(text: string, bytes: number): string {
  const encoded = Buffer.from(text, 'utf8');
  if (encoded.length <= bytes) return text;
  let end = bytes;
  while (end > 0 && (encoded[end]! & 0xc0) === 0x80) end--;
  return encoded.subarray(0, end).toString('utf8');
}
