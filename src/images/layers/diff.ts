// A container's writable layer as a new layer tar (for commit and build), with OCI whiteouts.
//
// - overlay: the upper directory *is* the change set. Its 0/0 character devices become
//   ".wh.<name>" entries and a directory marked trusted.overlay.opaque=y is written followed by
//   "<dir>/.wh..wh..opq" (what Docker's overlay2 does). overlayfs' own xattrs are not copied.
// - vfs: the container's directory is compared with the image's top layer, as Docker's naive
//   diff does: added, modified (type, mode, owner, device, size, mtime, link target, xattrs;
//   contents are not read) and deleted paths (one whiteout for a deleted tree); directories
//   holding a change are written too, so their owner and mode survive.
//
// Entries are sorted by path, component by component (parents before children, an opaque
// marker right after its directory), times are whole seconds and nothing depends on the clock:
// two diffs of the same state are the same bytes. Hard links between files of the diff stay
// hard links (the first path in order carries the content).
import type { BigIntStats } from 'node:fs';
import { constants, createReadStream } from 'node:fs';
import { lstat, open, readdir, readlink } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { Internal, InvalidArgument, Unsupported, errnoCode } from '../../errors.js';
import { createHash } from 'node:crypto';
import type { Digest } from '../digest.js';
import type { GraphDriver } from '../graphdriver/driver.js';
import { encodeTarHeader, tarEndBlocks, tarPadding, type TarEntryType, type TarHeaderEntry } from './tar-headers.js';
import { opaqueMarker, whiteoutPrefix } from './whiteouts.js';
import { readXattrTree, type XattrTree } from './xattr-dump.js';
import { WarningTally } from './warning-tally.js';

export interface DiffOptions {
  /**
   * The chain ID of the image's top layer the container was created on. vfs compares against
   * it (without it, everything in the container counts as added); overlay needs none.
   */
  parent?: string;
}

export interface DiffResult {
  /** sha256 of the uncompressed tar. */
  diffId: Digest;
  /** Bytes of the uncompressed tar. */
  size: number;
}

export interface LayerDiff {
  /** The layer tar (uncompressed); read it to the end for `done` to settle. */
  tar: Readable;
  /** The tar's diff ID and size, once it has been read to the end. */
  done: Promise<DiffResult>;
  /** How many entries the tar holds (0: only the end-of-archive blocks). */
  entries: number;
  /** What was left out without failing (sockets, xattrs without getfattr). */
  warnings: string[];
}

/** One entry of the diff, before it is encoded. */
export interface DiffEntry {
  header: TarHeaderEntry;
  /** Where a file's content is read from. */
  hostPath?: string;
  /** Sort rank among siblings: the opaque marker comes first. */
  rank?: number;
  /** dev:ino of a regular file with other links, for hard link grouping. */
  inode?: string;
}

/** Compares archive paths component by component (byte order), so parents precede children. */
export function compareDiffEntries(a: DiffEntry, b: DiffEntry): number {
  const ac = a.header.path.split('/');
  const bc = b.header.path.split('/');
  for (let i = 0; i < Math.min(ac.length, bc.length); i++) {
    if (ac[i] === bc[i]) continue;
    // Only the last component carries the rank (the marker is never a parent).
    const ar = i === ac.length - 1 ? (a.rank ?? 1) : 1;
    const br = i === bc.length - 1 ? (b.rank ?? 1) : 1;
    if (ar !== br) return ar - br;
    return Buffer.compare(Buffer.from(ac[i]!, 'utf8'), Buffer.from(bc[i]!, 'utf8'));
  }
  return ac.length - bc.length;
}

/** Sorts entries and turns later links to an inode already in the diff into hard links. */
export function finishEntries(entries: DiffEntry[]): DiffEntry[] {
  entries.sort(compareDiffEntries);
  const firstPath = new Map<string, string>();
  for (const entry of entries) {
    if (entry.inode === undefined || entry.header.type !== 'file') continue;
    const first = firstPath.get(entry.inode);
    if (first === undefined) {
      firstPath.set(entry.inode, entry.header.path);
    } else {
      entry.header = { ...entry.header, type: 'hardlink', size: 0, linkname: first, xattrs: new Map() };
      delete entry.hostPath;
    }
  }
  return entries;
}

const overlayXattrPrefix = 'trusted.overlay.';

function kindOfStats(stats: BigIntStats): TarEntryType | undefined {
  if (stats.isFile()) return 'file';
  if (stats.isDirectory()) return 'directory';
  if (stats.isSymbolicLink()) return 'symlink';
  if (stats.isCharacterDevice()) return 'char';
  if (stats.isBlockDevice()) return 'block';
  if (stats.isFIFO()) return 'fifo';
  return undefined; // sockets: Docker leaves them out too
}

// Linux's new_encode_dev layout.
const major = (rdev: bigint): number => Number(((rdev >> 8n) & 0xfffn) | ((rdev >> 32n) & ~0xfffn));
const minor = (rdev: bigint): number => Number((rdev & 0xffn) | ((rdev >> 12n) & ~0xffn));

/** Attributes worth carrying: everything but overlayfs' bookkeeping. */
function keptXattrs(attrs: Map<string, Buffer> | undefined): Map<string, Buffer> {
  const kept = new Map<string, Buffer>();
  for (const [name, value] of attrs ?? []) if (!name.startsWith(overlayXattrPrefix)) kept.set(name, value);
  return kept;
}

class EntryCollector extends WarningTally {
  readonly entries: DiffEntry[] = [];

  /** An entry for what is at `hostPath` now, under archive path `path`. */
  async add(path: string, hostPath: string, stats: BigIntStats, xattrs: XattrTree | undefined): Promise<void> {
    const type = kindOfStats(stats);
    if (!type) {
      this.warn('sockets left out', path);
      return;
    }
    const header: TarHeaderEntry = {
      path,
      type,
      mode: Number(stats.mode & 0o7777n),
      uid: Number(stats.uid),
      gid: Number(stats.gid),
      size: type === 'file' ? Number(stats.size) : 0,
      mtime: Number(stats.mtimeMs / 1000n),
      xattrs: keptXattrs(xattrs?.get(path)),
    };
    if (type === 'symlink') header.linkname = await readlink(hostPath);
    if (type === 'char' || type === 'block') {
      header.devMajor = major(stats.rdev);
      header.devMinor = minor(stats.rdev);
    }
    const entry: DiffEntry = { header };
    if (type === 'file') {
      entry.hostPath = hostPath;
      if (stats.nlink > 1n) entry.inode = `${stats.dev}:${stats.ino}`;
    }
    this.entries.push(entry);
  }

  /** ".wh.<name>" in `dir` (archive path, '' for the root). */
  whiteout(dir: string, name: string, owner: { uid: number; gid: number; mtime: number }): void {
    this.entries.push({
      header: { path: joinPath(dir, `${whiteoutPrefix}${name}`), type: 'file', mode: 0o600, size: 0, ...owner },
    });
  }

  opaque(dir: string, header: TarHeaderEntry): void {
    this.entries.push({
      header: { path: joinPath(dir, opaqueMarker), type: 'file', mode: header.mode & 0o777, uid: header.uid, gid: header.gid, size: 0, mtime: header.mtime },
      rank: 0,
    });
  }
}

const joinPath = (dir: string, name: string): string => (dir === '' ? name : `${dir}/${name}`);

async function sortedNames(dir: string): Promise<string[]> {
  return (await readdir(dir)).sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
}

/** The changes an overlay upper directory holds. */
export async function collectOverlayChanges(upper: string): Promise<{ entries: DiffEntry[]; warnings: string[] }> {
  const collector = new EntryCollector();
  const xattrs = await readXattrTree(upper);
  if (!xattrs) collector.warn('extended attributes left out (getfattr, Debian package attr, is not installed)', upper);
  for (const [path, attrs] of xattrs ?? []) {
    if (attrs.has('trusted.overlay.redirect') || attrs.has('trusted.overlay.metacopy')) {
      throw new Unsupported(`overlay diff: ${path || '/'} is a renamed directory or metadata-only copy (redirect_dir/metacopy), which berth's diff cannot export`);
    }
  }
  const walk = async (dir: string): Promise<void> => {
    for (const name of await sortedNames(join(upper, dir))) {
      const path = joinPath(dir, name);
      const hostPath = join(upper, path);
      const stats = await lstat(hostPath, { bigint: true });
      if (stats.isCharacterDevice() && stats.rdev === 0n) {
        collector.whiteout(dir, name, { uid: Number(stats.uid), gid: Number(stats.gid), mtime: Number(stats.mtimeMs / 1000n) });
        continue;
      }
      await collector.add(path, hostPath, stats, xattrs);
      if (stats.isDirectory()) {
        const opaque = xattrs?.get(path)?.get('trusted.overlay.opaque');
        if (opaque?.toString() === 'y') collector.opaque(path, collector.entries[collector.entries.length - 1]!.header);
        await walk(path);
      }
    }
  };
  await walk('');
  return { entries: finishEntries(collector.entries), warnings: collector.warnings() };
}

function sameXattrs(a: Map<string, Buffer> | undefined, b: Map<string, Buffer> | undefined): boolean {
  const ka = keptXattrs(a);
  const kb = keptXattrs(b);
  if (ka.size !== kb.size) return false;
  for (const [name, value] of ka) if (!kb.get(name)?.equals(value)) return false;
  return true;
}

async function lstatOrUndefined(path: string): Promise<BigIntStats | undefined> {
  try {
    return await lstat(path, { bigint: true });
  } catch (err) {
    if (errnoCode(err) === 'ENOENT') return undefined;
    throw err;
  }
}

/**
 * The changes from `lower` (a full tree; undefined: empty) to `upper` (a full tree), as
 * Docker's naive diff finds them.
 */
export async function collectNaiveChanges(lower: string | undefined, upper: string): Promise<{ entries: DiffEntry[]; warnings: string[] }> {
  const collector = new EntryCollector();
  const [lowerXattrs, upperXattrs] = await Promise.all([lower ? readXattrTree(lower) : new Map(), readXattrTree(upper)]);
  if (!upperXattrs) collector.warn('extended attributes left out (getfattr, Debian package attr, is not installed)', upper);

  const addTree = async (path: string, stats: BigIntStats): Promise<void> => {
    await collector.add(path, join(upper, path), stats, upperXattrs);
    if (!stats.isDirectory()) return;
    for (const name of await sortedNames(join(upper, path))) {
      const child = joinPath(path, name);
      await addTree(child, await lstat(join(upper, child), { bigint: true }));
    }
  };

  /** Compares directory `dir` of both trees; true if anything in it changed. */
  const compareDirectory = async (dir: string): Promise<boolean> => {
    let changed = false;
    const upperNames = await sortedNames(join(upper, dir));
    const lowerNames = new Set(lower ? await sortedNames(join(lower, dir)) : []);
    const upperSet = new Set(upperNames);
    for (const name of lowerNames) {
      if (upperSet.has(name)) continue;
      collector.whiteout(dir, name, { uid: 0, gid: 0, mtime: 0 });
      changed = true;
    }
    for (const name of upperNames) {
      const path = joinPath(dir, name);
      const now = await lstat(join(upper, path), { bigint: true });
      const before = lower && lowerNames.has(name) ? await lstatOrUndefined(join(lower, path)) : undefined;
      if (!before) {
        await addTree(path, now);
        changed = true;
        continue;
      }
      const sameType = (now.mode & BigInt(constants.S_IFMT)) === (before.mode & BigInt(constants.S_IFMT));
      if (sameType && now.isDirectory()) {
        const metadataChanged =
          now.mode !== before.mode || now.uid !== before.uid || now.gid !== before.gid || !sameXattrs(upperXattrs?.get(path), lowerXattrs?.get(path));
        const inside = await compareDirectory(path);
        if (metadataChanged || inside) {
          await collector.add(path, join(upper, path), now, upperXattrs);
          changed = true;
        }
        continue;
      }
      let modified =
        !sameType ||
        now.mode !== before.mode ||
        now.uid !== before.uid ||
        now.gid !== before.gid ||
        now.rdev !== before.rdev ||
        now.size !== before.size ||
        now.mtimeNs !== before.mtimeNs ||
        !sameXattrs(upperXattrs?.get(path), lowerXattrs?.get(path));
      if (!modified && now.isSymbolicLink()) modified = (await readlink(join(upper, path))) !== (await readlink(join(lower!, path)));
      if (modified) {
        await addTree(path, now);
        changed = true;
      }
    }
    return changed;
  };
  await compareDirectory('');
  return { entries: finishEntries(collector.entries), warnings: collector.warnings() };
}

/** The entries of a container's diff, by the driver's own means. */
export async function collectContainerChanges(
  driver: GraphDriver,
  containerId: string,
  options: DiffOptions = {},
): Promise<{ entries: DiffEntry[]; warnings: string[] }> {
  if (driver.name === 'overlay') {
    const data = await driver.graphDriverData(containerId);
    if (!('UpperDir' in data) || typeof data.UpperDir !== 'string') throw new Internal(`overlay container ${containerId} reports no upper directory`);
    return collectOverlayChanges(data.UpperDir);
  }
  const rootfs = await driver.mountContainer(containerId);
  const lower = options.parent === undefined ? undefined : (await driver.diffPaths(options.parent))[0];
  return collectNaiveChanges(lower, rootfs);
}

/** Encodes entries as a tar stream: headers, file contents (checked against the sizes seen), end blocks. */
export async function* tarOfEntries(entries: readonly DiffEntry[]): AsyncGenerator<Buffer> {
  for (const entry of entries) {
    yield encodeTarHeader(entry.header);
    if (entry.header.type !== 'file' || entry.header.size === 0 || !entry.hostPath) continue;
    const handle = await open(entry.hostPath, constants.O_RDONLY | constants.O_NOFOLLOW);
    let read = 0;
    try {
      for await (const chunk of createReadStream('', { fd: handle, autoClose: false, end: entry.header.size - 1 })) {
        read += (chunk as Buffer).length;
        yield chunk as Buffer;
      }
    } finally {
      await handle.close();
    }
    if (read !== entry.header.size) {
      throw new InvalidArgument(`${entry.header.path} changed size while the diff was written (${entry.header.size} → ${read} bytes)`);
    }
    yield tarPadding(entry.header.size);
  }
  yield tarEndBlocks();
}

/** Hashes and counts what passes through; `result` settles when the source ends. */
export function hashing(source: AsyncIterable<Buffer>): { stream: AsyncGenerator<Buffer>; result: Promise<DiffResult> } {
  let settle!: (value: DiffResult) => void;
  let fail!: (err: unknown) => void;
  const result = new Promise<DiffResult>((resolve, reject) => {
    settle = resolve;
    fail = reject;
  });
  result.catch(() => {}); // reported to whoever reads the stream as well
  const stream = (async function* () {
    const hash = createHash('sha256');
    let size = 0;
    try {
      for await (const chunk of source) {
        hash.update(chunk);
        size += chunk.length;
        yield chunk;
      }
    } catch (err) {
      fail(err);
      throw err;
    }
    settle({ diffId: `sha256:${hash.digest('hex')}`, size });
  })();
  return { stream, result };
}

/** A container's writable layer as a layer tar with its diff ID and size. */
export async function diffLayer(driver: GraphDriver, containerId: string, options: DiffOptions = {}): Promise<LayerDiff> {
  const { entries, warnings } = await collectContainerChanges(driver, containerId, options);
  const { stream, result } = hashing(tarOfEntries(entries));
  return { tar: Readable.from(stream, { objectMode: false }), done: result, entries: entries.length, warnings };
}
