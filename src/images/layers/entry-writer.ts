// Creates one tar entry at a path that containment.ts has already resolved (its parent is a
// real directory inside the layer root, and nothing exists at the path any more), then gives
// it the entry's owner, mode, xattrs and times.
import { constants, type Stats } from 'node:fs';
import { chmod, link, lchown, lstat, lutimes, mkdir, open, symlink } from 'node:fs/promises';
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

/** Writes a regular file from the entry's body. */
export async function writeFile(entry: TarEntry, hostPath: string): Promise<void> {
  const handle = await open(hostPath, createFlags, 0o600);
  try {
    for await (const chunk of entry.body()) await handle.write(chunk);
    // chown before chmod: chown clears the setuid/setgid bits.
    await handle.chown(entry.uid, entry.gid);
    await handle.chmod(entry.mode & 0o7777);
  } finally {
    await handle.close();
  }
}

/** A new directory, or an existing one (`existing`) taking the entry's owner and mode. */
export async function writeDirectory(entry: TarEntry, hostPath: string, existing: Stats | undefined): Promise<void> {
  if (!existing) await mkdir(hostPath, 0o700);
  await lchown(hostPath, entry.uid, entry.gid);
  await chmod(hostPath, entry.mode & 0o7777);
}

/** A symlink; its target is data and is stored exactly as the archive has it. */
export async function writeSymlink(entry: TarEntry, hostPath: string): Promise<void> {
  await symlink(entry.linkpath ?? '', hostPath);
  await lchown(hostPath, entry.uid, entry.gid);
}

/** A hard link to `targetHostPath`, already checked to be a non-directory inside the root. */
export async function writeHardlink(targetHostPath: string, hostPath: string): Promise<void> {
  // link(2) does not follow a symlink at the target: it links the symlink itself.
  await link(targetHostPath, hostPath);
}

export async function writeSpecial(entry: TarEntry, kind: 'char' | 'block' | 'fifo', hostPath: string): Promise<void> {
  if (kind === 'fifo') await makeFifo(hostPath, 0o600);
  else await makeDeviceNode(hostPath, kind === 'char' ? 'c' : 'b', entry.devMajor, entry.devMinor, 0o600);
  const made = await lstat(hostPath);
  const expected = kind === 'fifo' ? made.isFIFO() : kind === 'char' ? made.isCharacterDevice() : made.isBlockDevice();
  if (!expected) throw new Internal(`${hostPath}: made a ${kind} node, found something else`);
  await lchown(hostPath, entry.uid, entry.gid);
  await chmod(hostPath, entry.mode & 0o7777);
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

/** Access and modification times from the archive (atime defaults to mtime). */
export async function writeTimes(entry: TarEntry, hostPath: string, kind: EntryKind, context: WriteContext): Promise<void> {
  if (!entry.mtime) return;
  const atime = entry.atime ?? entry.mtime;
  if (kind === 'directory') context.deferTimes(hostPath, atime, entry.mtime);
  else await lutimes(hostPath, atime, entry.mtime);
}
