// Applies one image layer (a tar stream, plain, gzip or zstd) onto a directory: the heart of
// pulling an image. Every entry goes through containment.ts, so no archive, however crafted,
// writes outside `targetDir`; whiteouts are honoured as the graph driver needs (whiteouts.ts).
//
// Not atomic: a layer that fails half way (bad gzip, a refused entry) leaves what it had
// written. Callers extract into a fresh directory (overlay) or a fresh copy of the parent
// (vfs) and discard it on failure, which also covers a crash.
import { lchownSync, lstatSync, lutimesSync, type Stats } from 'node:fs';
import { realpath, rm } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { InvalidArgument, errnoCode } from '../../errors.js';
import { baseOf, cleanEntryPath, parentOf, RootResolver } from './containment.js';
import { decompressLayer } from './decompress.js';
import {
  kindOf,
  timesOf,
  writeDirectory,
  writeFile,
  writeHardlink,
  writeSpecial,
  writeSymlink,
  writeTimes,
  writeXattrs,
  type EntryKind,
  type WriteContext,
} from './entry-writer.js';
import { readTarEntries, type TarEntry } from './tar-entries.js';
import { WarningTally } from './warning-tally.js';
import {
  makeOverlayWhiteout,
  markOverlayOpaque,
  parseWhiteout,
  pruneOpaque,
  removeWhitedOut,
  underMetaDirectory,
  type WhiteoutMode,
} from './whiteouts.js';

export interface ApplyLayerOptions {
  /** 'apply': delete whited-out paths now (vfs). 'overlay': write overlayfs markers (overlay). */
  whiteouts: WhiteoutMode;
  /** The layer's digest, for error messages. */
  digest?: string;
  /** Most uncompressed tar bytes the layer may have; larger layers are refused. */
  maxBytes?: number;
}

export interface ApplyLayerResult {
  /** Bytes of the uncompressed tar stream. */
  size: number;
  /** Things skipped without failing the layer, counted by kind ("… (3×, e.g. …)"). */
  warnings: string[];
}

export async function applyLayer(tarStream: Readable, targetDir: string, options: ApplyLayerOptions): Promise<ApplyLayerResult> {
  const layerName = options.digest ? `layer ${options.digest}` : 'layer';
  const applier = new LayerApplier(await realpath(targetDir), layerName, options.whiteouts);
  const counter = { bytes: 0 };
  const plain = countBytes(decompressLayer(chunksOf(tarStream), layerName), counter, options.maxBytes, layerName);
  let contentBytes = 0;
  try {
    const entries = readTarEntries(plain, {
      layerName,
      onSkipped: (path, type) => applier.warn(`entries of unsupported types skipped`, `${path} (${type})`),
    });
    for await (const entry of entries) {
      if (options.maxBytes !== undefined && entry.size > options.maxBytes - contentBytes) {
        throw new InvalidArgument(
          `${layerName} entry ${entry.path}: size ${entry.size} exceeds the layer limit of ${options.maxBytes} bytes`,
        );
      }
      contentBytes += entry.size;
      await applier.apply(entry);
    }
    await applier.finish();
  } catch (err) {
    // Ends the caller's stream, which also stops the reader still feeding the tar parser.
    tarStream.destroy();
    throw err;
  }
  return { size: counter.bytes, warnings: applier.warnings() };
}

async function* chunksOf(stream: Readable): AsyncGenerator<Buffer> {
  for await (const chunk of stream) yield typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
}

async function* countBytes(
  source: AsyncIterable<Buffer>,
  counter: { bytes: number },
  maxBytes: number | undefined,
  layerName: string,
): AsyncGenerator<Buffer> {
  for await (const chunk of source) {
    counter.bytes += chunk.length;
    if (maxBytes !== undefined && counter.bytes > maxBytes) {
      throw new InvalidArgument(`${layerName} is larger than the limit of ${maxBytes} bytes uncompressed`);
    }
    yield chunk;
  }
}

class LayerApplier extends WarningTally implements WriteContext {
  private readonly resolver: RootResolver;
  /** Paths (resolved, relative to the root) this layer wrote: an opaque directory keeps them. */
  private readonly written = new Set<string>();
  private readonly pendingTimes: { hostPath: string; atime: Date; mtime: Date }[] = [];

  constructor(
    root: string,
    private readonly layerName: string,
    private readonly mode: WhiteoutMode,
  ) {
    super();
    this.resolver = new RootResolver(root);
  }

  deferTimes(hostPath: string, atime: Date, mtime: Date): void {
    this.pendingTimes.push({ hostPath, atime, mtime });
  }

  async apply(entry: TarEntry): Promise<void> {
    const describe = `${this.layerName} entry ${entry.path}`;
    const path = cleanEntryPath(entry.path, describe);
    // The root itself ("./"): its owner and mode are the graph driver's business, as in Docker.
    if (path === '') return;
    if (underMetaDirectory(path)) {
      this.warn('aufs metadata entries skipped', entry.path);
      return;
    }
    const whiteout = parseWhiteout(baseOf(path), describe);
    if (whiteout?.kind === 'meta') {
      this.warn('aufs metadata entries skipped', entry.path);
    } else if (whiteout?.kind === 'remove') {
      await this.whiteOut(parentOf(path), whiteout.name, entry, describe);
    } else if (whiteout?.kind === 'opaque') {
      await this.makeOpaque(parentOf(path), describe);
    } else {
      await this.create(path, entry, describe);
    }
  }

  /** Directory times last: creating entries inside a directory changes its mtime. */
  async finish(): Promise<void> {
    for (const { hostPath, atime, mtime } of this.pendingTimes.reverse()) {
      try {
        lutimesSync(hostPath, atime, mtime);
      } catch (err) {
        // Removed or replaced later in the same layer: nothing to date.
        if (errnoCode(err) !== 'ENOENT') throw err;
      }
    }
  }

  private async create(path: string, entry: TarEntry, describe: string): Promise<void> {
    const kind = kindOf(entry.type);
    if (!kind) {
      this.warn('entries of unsupported types skipped', `${entry.path} (${entry.type})`);
      return;
    }
    const parent = await this.makeDirectory(parentOf(path), describe);
    const relative = parent === '' ? baseOf(path) : `${parent}/${baseOf(path)}`;
    const hostPath = this.resolver.hostPath(relative);

    // Check the link target before anything is removed.
    const linkTarget = kind === 'hardlink' ? await this.hardlinkTarget(entry, describe) : undefined;
    if (linkTarget === relative) return; // a link to itself: already there

    const existing = lstatOrUndefined(hostPath);
    const keepDirectory = kind === 'directory' && existing?.isDirectory();
    if (existing && !keepDirectory) {
      // Never write through what is there (a symlink above all): remove it, then create anew.
      await rm(hostPath, { recursive: true, force: true });
      this.resolver.forget();
    }

    switch (kind) {
      case 'file':
        // The file's times are set through its descriptor, before it is closed.
        await writeFile(entry, hostPath, timesOf(entry));
        break;
      case 'directory':
        await writeDirectory(entry, hostPath, keepDirectory ? existing : undefined);
        break;
      case 'symlink':
        await writeSymlink(entry, hostPath);
        break;
      case 'hardlink':
        await writeHardlink(this.resolver.hostPath(linkTarget!), hostPath);
        break;
      case 'char':
      case 'block':
      case 'fifo':
        await writeSpecial(entry, kind, hostPath);
        break;
    }
    this.written.add(relative);
    // A hard link shares its target's inode: the target's metadata stays.
    if (kind !== 'hardlink') await this.finishNode(entry, hostPath, kind);
  }

  private async finishNode(entry: TarEntry, hostPath: string, kind: EntryKind): Promise<void> {
    // Setting xattrs changes the ctime only, so a file's times, set before, stay.
    await writeXattrs(entry, hostPath, this);
    if (kind !== 'file') await writeTimes(entry, hostPath, kind, this);
  }

  /** The directory `dir` names, resolved inside the root, made (with its parents) if missing. */
  private async makeDirectory(dir: string, describe: string): Promise<string> {
    const resolved = await this.resolver.resolveDirectory(dir, {
      create: true,
      describe,
      onCreate: (made) => this.written.add(made),
    });
    return resolved!;
  }

  /**
   * Where a hard link points, relative to the root: an existing non-directory inside the root,
   * reached with the same chroot resolution as entry names.
   */
  private async hardlinkTarget(entry: TarEntry, describe: string): Promise<string> {
    const target = cleanEntryPath(entry.linkpath ?? '', `${describe}: hard link target ${entry.linkpath}`);
    const notThere = (): InvalidArgument =>
      new InvalidArgument(`${describe}: hard link target ${entry.linkpath} is not in the layer (or not yet extracted)`);
    if (target === '') throw new InvalidArgument(`${describe}: hard link to the layer root`);
    const parent = await this.resolver.resolveDirectory(parentOf(target), { describe });
    if (parent === undefined) throw notThere();
    const relative = parent === '' ? baseOf(target) : `${parent}/${baseOf(target)}`;
    const stats = lstatOrUndefined(this.resolver.hostPath(relative));
    if (!stats) throw notThere();
    if (stats.isDirectory()) throw new InvalidArgument(`${describe}: hard link target ${entry.linkpath} is a directory`);
    return relative;
  }

  private async whiteOut(parentPath: string, name: string, entry: TarEntry, describe: string): Promise<void> {
    if (this.mode === 'apply') {
      const parent = await this.resolver.resolveDirectory(parentPath, { describe });
      if (parent === undefined) return; // nothing below to delete
      if (await removeWhitedOut(this.resolver.hostPath(parent), name)) this.resolver.forget();
      return;
    }
    const parent = await this.makeDirectory(parentPath, describe);
    const relative = parent === '' ? name : `${parent}/${name}`;
    const hostPath = this.resolver.hostPath(relative);
    if (lstatOrUndefined(hostPath)) {
      await rm(hostPath, { recursive: true, force: true });
      this.resolver.forget();
    }
    await makeOverlayWhiteout(hostPath);
    lchownSync(hostPath, entry.uid, entry.gid);
    this.written.add(relative);
  }

  private async makeOpaque(dirPath: string, describe: string): Promise<void> {
    // The directory itself is resolved like any parent, and made if the archive did not have it.
    const dir = await this.makeDirectory(dirPath, describe);
    if (this.mode === 'overlay') {
      await markOverlayOpaque(this.resolver.hostPath(dir));
    } else if (await pruneOpaque(this.resolver.root, dir, (path) => this.written.has(path))) {
      this.resolver.forget();
    }
  }
}

/** Synchronous, as the writes are (see entry-writer.ts); undefined when nothing is there. */
function lstatOrUndefined(path: string): Stats | undefined {
  return lstatSync(path, { throwIfNoEntry: false });
}
