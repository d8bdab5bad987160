// Creates one tar entry at a path that containment.ts has already resolved (its parent is a
// real directory inside the layer root, and nothing exists at the path any more), then gives
// it the entry's owner, mode, xattrs and times.
//
// The system calls are synchronous on purpose. Each one takes microseconds on a local disk, but
// through libuv's thread pool every call is a round trip (queue, wake a pool thread, wake the
// event loop again): a Debian rootfs is ~7,000 entries × ~7 calls, and those round trips, not
// the disk, were most of the time of a pull (profiled: >50% of it idle in the event loop). The
// event loop still turns between entries and between chunks of a file, so the daemon stays
// responsive while a layer is applied.
import {
  chmodSync,
  closeSync,
  constants,
  fchmodSync,
  fchownSync,
  futimesSync,
  lchownSync,
  linkSync,
  lstatSync,
  lutimesSync,
  mkdirSync,
  openSync,
  symlinkSync,
  writeSync,
  type Stats,
} from 'node:fs';
import { Internal } from '../../errors.js';
import { findSetfattr, makeDeviceNode, makeFifo, setXattr } from './system-tools.js';
import type { TarEntry } from './tar-entries.js';

export type EntryKind = 'file' | 'directory' | 'symlink' | 'hardlink' | 'char' | 'block' | 'fifo';

/** The kind of node an entry creates, or undefined for types berth skips. */
export function kindOf(type: string): EntryKind | undefined {
  switch (type) {
    case 'File':
    case 'OldFile':
    case 'ContiguousFile':
      return 'file';
    case 'Directory':
    case 'GNUDumpDir':
      return 'directory';
    case 'SymbolicLink':
      return 'symlink';
    case 'Link':
      return 'hardlink';
    case 'CharacterDevice':
      return 'char';
    case 'BlockDevice':
      return 'block';
    case 'FIFO':
      return 'fifo';
    default:
      return undefined;
  }
}

export interface WriteContext {
  /** Counts something skipped (xattrs that could not be set); does not fail the layer. */
  warn(kind: string, example: string): void;
  /** Directory times are set last, once their contents stop changing. */
  deferTimes(hostPath: string, atime: Date, mtime: Date): void;
}

// O_NOFOLLOW|O_EXCL: the path was emptied just before; if anything appeared there since, fail
// rather than write through it.
const createFlags = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;

/** Writes all of `chunk` at the file's current offset (write(2) may write less than asked). */
function writeAll(fd: number, chunk: Uint8Array): void {
  let offset = 0;
  while (offset < chunk.length) offset += writeSync(fd, chunk, offset, chunk.length - offset);
}

/**
 * Writes a regular file from the entry's body. Its times are set here too, through the open
 * descriptor (cheaper than a path lookup later); `times` is undefined when the entry has none.
 */
export async function writeFile(entry: TarEntry, hostPath: string, times?: { atime: Date; mtime: Date }): Promise<void> {
  const fd = openSync(hostPath, createFlags, 0o600);
  try {
    for await (const chunk of entry.body()) writeAll(fd, chunk);
    // chown before chmod: chown clears the setuid/setgid bits.
    fchownSync(fd, entry.uid, entry.gid);
    fchmodSync(fd, entry.mode & 0o7777);
    if (times) futimesSync(fd, times.atime, times.mtime);
  } finally {
    closeSync(fd);
  }
}

/** A new directory, or an existing one (`existing`) taking the entry's owner and mode. */
export async function writeDirectory(entry: TarEntry, hostPath: string, existing: Stats | undefined): Promise<void> {
  if (!existing) mkdirSync(hostPath, 0o700);
  lchownSync(hostPath, entry.uid, entry.gid);
  chmodSync(hostPath, entry.mode & 0o7777);
}

/** A symlink; its target is data and is stored exactly as the archive has it. */
export async function writeSymlink(entry: TarEntry, hostPath: string): Promise<void> {
  symlinkSync(entry.linkpath ?? '', hostPath);
  lchownSync(hostPath, entry.uid, entry.gid);
}

/** A hard link to `targetHostPath`, already checked to be a non-directory inside the root. */
export async function writeHardlink(targetHostPath: string, hostPath: string): Promise<void> {
  // link(2) does not follow a symlink at the target: it links the symlink itself.
  linkSync(targetHostPath, hostPath);
}

export async function writeSpecial(entry: TarEntry, kind: 'char' | 'block' | 'fifo', hostPath: string): Promise<void> {
  if (kind === 'fifo') await makeFifo(hostPath, 0o600);
  else await makeDeviceNode(hostPath, kind === 'char' ? 'c' : 'b', entry.devMajor, entry.devMinor, 0o600);
  const made = lstatSync(hostPath);
  const expected = kind === 'fifo' ? made.isFIFO() : kind === 'char' ? made.isCharacterDevice() : made.isBlockDevice();
  if (!expected) throw new Internal(`${hostPath}: made a ${kind} node, found something else`);
  lchownSync(hostPath, entry.uid, entry.gid);
  chmodSync(hostPath, entry.mode & 0o7777);
}

/** The entry's xattrs, skipped (and counted) when they cannot be set. */
export async function writeXattrs(entry: TarEntry, hostPath: string, context: WriteContext): Promise<void> {
  if (entry.xattrsDamaged) {
    context.warn('xattrs not applied: the pax header holds a binary value node-tar cannot decode', entry.path);
  }
  if (entry.xattrs.size === 0) return;
  const setfattr = await findSetfattr();
  for (const [name, value] of entry.xattrs) {
    if (name.startsWith('trusted.overlay.')) {
      // overlayfs metadata (redirects, opaque flags) belongs to the graph driver, not to images.
      context.warn('overlayfs xattrs in the layer ignored', `${entry.path} ${name}`);
    } else if (!setfattr) {
      context.warn('xattrs skipped: setfattr is not installed (Debian package attr)', `${entry.path} ${name}`);
    } else {
      await setXattr(setfattr, hostPath, name, value).catch((err: unknown) =>
        context.warn('xattrs that could not be set', `${entry.path} ${name}: ${(err as Error).message}`),
      );
    }
  }
}

/** Access and modification times from the archive (atime defaults to mtime), if it has them. */
export function timesOf(entry: TarEntry): { atime: Date; mtime: Date } | undefined {
  return entry.mtime ? { atime: entry.atime ?? entry.mtime, mtime: entry.mtime } : undefined;
}

/** Access and modification times from the archive (atime defaults to mtime). */
export async function writeTimes(entry: TarEntry, hostPath: string, kind: EntryKind, context: WriteContext): Promise<void> {
  const times = timesOf(entry);
  if (!times) return;
  if (kind === 'directory') context.deferTimes(hostPath, times.atime, times.mtime);
  else lutimesSync(hostPath, times.atime, times.mtime);
}
