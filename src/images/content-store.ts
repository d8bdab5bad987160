// The content store: every blob berth has (layers, configs, manifests) under the data root at
// blobs/<algorithm>/<hex>, named by its digest. A blob appears there only whole and verified:
// it is written to ingest/<hex>.partial by one writer at a time (ingest/<hex>.lock), checked
// against its digest and size, fsynced, and renamed in. A partial outlives an interrupted
// download so that the next attempt can continue it with an HTTP Range request.
import { createReadStream, type ReadStream } from 'node:fs';
import { mkdir, open, readdir, readFile, rename, stat, truncate, unlink, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { Conflict, FailedPrecondition, InvalidArgument, NotFound, errnoCode } from '../errors.js';
import { DigestVerifier, isDigest, parseDigest, sha256Digest, type Digest, type DigestAlgorithm, type ParsedDigest } from './digest.js';
import { acquireFileLock } from './file-lock.js';

/** Where ingest reads a blob from: an HTTP response body, a file stream, chunks in memory. */
export type IngestSource = AsyncIterable<Uint8Array> | Iterable<Uint8Array> | Readable;

export interface BlobInfo {
  digest: Digest;
  size: number;
}

export interface IngestOptions {
  /**
   * Continue the partial an interrupted ingest left: `source` yields the blob from byte
   * partialSize() on. The bytes already there are hashed again first.
   */
  resume?: boolean;
  /**
   * Like `resume`, at an exact offset (what partialSize() returned when the Range request was
   * made): a longer partial is cut back to it, a shorter one is an error.
   */
  resumeFrom?: number;
  /** Wait while another writer ingests the same digest (default), or throw Conflict. */
  wait?: boolean;
  signal?: AbortSignal;
}

export interface GarbageCollectOptions {
  /** Partials untouched for this long are abandoned downloads (default: one day). */
  partialMaxAgeMs?: number;
}

export interface GarbageCollectResult {
  /** Blobs removed. */
  removed: Digest[];
  /** Abandoned partial downloads removed, by the digest they were for. */
  removedPartials: Digest[];
  freedBytes: number;
}

const algorithms: readonly DigestAlgorithm[] = ['sha256', 'sha512'];
const hexLengthToAlgorithm = new Map<number, DigestAlgorithm>([[64, 'sha256'], [128, 'sha512']]);
const oneDayMs = 24 * 60 * 60 * 1000;

/** Thrown by the verifier: the bytes are wrong, so the partial holding them is worthless. */
class ContentRejected extends Error {
  constructor(readonly error: unknown) {
    super('content rejected');
  }
}

async function fileSize(path: string): Promise<number | undefined> {
  try {
    const s = await stat(path);
    return s.isFile() ? s.size : undefined;
  } catch (err) {
    if (errnoCode(err) === 'ENOENT') return undefined;
    throw err;
  }
}

async function fsyncDirectory(path: string): Promise<void> {
  const dir = await open(path, 'r');
  try {
    await dir.sync();
  } finally {
    await dir.close();
  }
}

async function readdirIfExists(path: string): Promise<string[]> {
  try {
    return await readdir(path);
  } catch (err) {
    if (errnoCode(err) === 'ENOENT') return [];
    throw err;
  }
}

function toBytes(chunk: unknown): Uint8Array {
  if (chunk instanceof Uint8Array) return chunk;
  if (typeof chunk === 'string') return Buffer.from(chunk);
  throw new InvalidArgument(`ingest source yielded a ${typeof chunk}, not bytes`);
}

export class ContentStore {
  constructor(readonly root: string) {}

  private blobDirectory(algorithm: DigestAlgorithm): string {
    return join(this.root, 'blobs', algorithm);
  }

  private get ingestDirectory(): string {
    return join(this.root, 'ingest');
  }

  private partialPath(d: ParsedDigest): string {
    return join(this.ingestDirectory, `${d.hex}.partial`);
  }

  private lockPath(d: ParsedDigest): string {
    return join(this.ingestDirectory, `${d.hex}.lock`);
  }

  /** Where the blob lives (whether or not it is there). Refuses anything but a valid digest. */
  path(digest: string): string {
    const d = parseDigest(digest);
    return join(this.blobDirectory(d.algorithm), d.hex);
  }

  async has(digest: string): Promise<boolean> {
    return (await fileSize(this.path(digest))) !== undefined;
  }

  async info(digest: string): Promise<BlobInfo | undefined> {
    const d = parseDigest(digest);
    const size = await fileSize(this.path(digest));
    return size === undefined ? undefined : { digest: d.digest, size };
  }

  async read(digest: string): Promise<Buffer> {
    const path = this.path(digest);
    try {
      return await readFile(path);
    } catch (err) {
      if (errnoCode(err) === 'ENOENT') throw new NotFound(`blob ${digest} is not in the content store`);
      throw err;
    }
  }

  /** A stream of the blob; the file is opened first, so a missing blob is NotFound here. */
  async createReadStream(digest: string): Promise<ReadStream> {
    const path = this.path(digest);
    let handle: FileHandle;
    try {
      handle = await open(path, 'r');
    } catch (err) {
      if (errnoCode(err) === 'ENOENT') throw new NotFound(`blob ${digest} is not in the content store`);
      throw err;
    }
    return handle.createReadStream();
  }

  /** Bytes already downloaded for `digest` by an interrupted ingest (0 if none). */
  async partialSize(digest: string): Promise<number> {
    return (await fileSize(this.partialPath(parseDigest(digest)))) ?? 0;
  }

  /**
   * Stores the blob `source` yields, checking it against `digest` and `expectedSize` (when
   * known; more bytes than that abort at once). Nothing appears under blobs/ unless it matched;
   * on a mismatch the partial is deleted and InvalidArgument thrown. If the source fails, the
   * partial stays for a later `resume`. A blob already stored makes this a no-op. A Readable
   * source is always destroyed at the end, read or not, so no response body is left hanging.
   */
  async ingest(
    digest: string,
    expectedSize: number | undefined,
    source: IngestSource,
    options: IngestOptions = {},
  ): Promise<void> {
    try {
      await this.ingestOnce(digest, expectedSize, source, options);
    } finally {
      if (source instanceof Readable) source.destroy();
    }
  }

  private async ingestOnce(
    digest: string,
    expectedSize: number | undefined,
    source: IngestSource,
    options: IngestOptions,
  ): Promise<void> {
    const d = parseDigest(digest);
    // Validates expectedSize too, before any file is touched.
    const verifier = new DigestVerifier(d.digest, expectedSize);
    const { resumeFrom } = options;
    if (resumeFrom !== undefined && !(Number.isSafeInteger(resumeFrom) && resumeFrom >= 0)) {
      throw new InvalidArgument(`invalid resume offset ${resumeFrom} for ${d.digest}`);
    }
    const blobPath = this.path(d.digest);
    if (await this.has(d.digest)) return;

    await mkdir(this.ingestDirectory, { recursive: true });
    await mkdir(this.blobDirectory(d.algorithm), { recursive: true });
    const lock = await acquireFileLock(this.lockPath(d), {
      wait: options.wait,
      signal: options.signal,
      what: `ingest of ${d.digest}`,
    });
    try {
      // Another writer may have finished it while we waited for the lock.
      if (await this.has(d.digest)) return;
      await this.writePartial(d, verifier, source, options);
      await rename(this.partialPath(d), blobPath);
      await fsyncDirectory(this.blobDirectory(d.algorithm));
    } finally {
      await lock.release();
    }
  }

  /** Fills ingest/<hex>.partial from `source` and verifies it; called with the lock held. */
  private async writePartial(
    d: ParsedDigest,
    verifier: DigestVerifier,
    source: IngestSource,
    options: IngestOptions,
  ): Promise<void> {
    const partial = this.partialPath(d);
    const resuming = options.resume === true || options.resumeFrom !== undefined;
    let existing = resuming ? ((await fileSize(partial)) ?? 0) : 0;
    if (options.resumeFrom !== undefined) {
      if (existing < options.resumeFrom) {
        throw new FailedPrecondition(
          `cannot resume ${d.digest} at byte ${options.resumeFrom}: only ${existing} bytes were downloaded`,
        );
      }
      if (existing > options.resumeFrom) await truncate(partial, options.resumeFrom);
      existing = options.resumeFrom;
    }

    try {
      if (existing > 0) {
        // Re-hash what is there: it is only trusted once the whole blob matches its digest.
        for await (const chunk of createReadStream(partial, { end: existing - 1 })) {
          this.check(verifier, chunk as Buffer);
        }
      }
      const file = await open(partial, existing > 0 ? 'a' : 'w', 0o644);
      try {
        for await (const chunk of source) {
          options.signal?.throwIfAborted();
          const bytes = toBytes(chunk);
          this.check(verifier, bytes);
          await file.write(bytes);
        }
        this.check(verifier);
        await file.sync();
      } finally {
        await file.close();
      }
    } catch (err) {
      if (!(err instanceof ContentRejected)) throw err; // the source failed: keep the partial
      await unlink(partial).catch(() => {});
      throw err.error;
    }
  }

  /** Feeds the verifier (or, without a chunk, ends it), marking its errors as bad content. */
  private check(verifier: DigestVerifier, chunk?: Uint8Array): void {
    try {
      if (chunk) verifier.update(chunk);
      else verifier.verify();
    } catch (err) {
      throw new ContentRejected(err);
    }
  }

  /** Stores bytes held in memory (manifests, configs) and returns their sha256 digest. */
  async put(bytes: Uint8Array, options: Pick<IngestOptions, 'signal'> = {}): Promise<Digest> {
    const digest = sha256Digest(bytes);
    await this.ingest(digest, bytes.length, [bytes], options);
    return digest;
  }

  /** Removes a blob; false if it was not there. */
  async delete(digest: string): Promise<boolean> {
    try {
      await unlink(this.path(digest));
      return true;
    } catch (err) {
      if (errnoCode(err) === 'ENOENT') return false;
      throw err;
    }
  }

  /** Every stored blob, sorted by digest. Partials and stray files are not blobs. */
  async list(): Promise<BlobInfo[]> {
    const blobs: BlobInfo[] = [];
    for (const algorithm of algorithms) {
      const dir = this.blobDirectory(algorithm);
      for (const name of await readdirIfExists(dir)) {
        const digest = `${algorithm}:${name}`;
        if (!isDigest(digest)) continue;
        const size = await fileSize(join(dir, name));
        if (size !== undefined) blobs.push({ digest, size });
      }
    }
    return blobs.sort((a, b) => (a.digest < b.digest ? -1 : a.digest > b.digest ? 1 : 0));
  }

  /**
   * Removes every blob not in `referenced` (digest strings), and partial downloads nobody is
   * writing that have not been touched for `partialMaxAgeMs`. The caller makes sure no pull is
   * between storing blobs and recording the image that references them.
   */
  async garbageCollect(referenced: ReadonlySet<string>, options: GarbageCollectOptions = {}): Promise<GarbageCollectResult> {
    const { partialMaxAgeMs = oneDayMs } = options;
    const result: GarbageCollectResult = { removed: [], removedPartials: [], freedBytes: 0 };
    for (const blob of await this.list()) {
      if (referenced.has(blob.digest)) continue;
      if (await this.delete(blob.digest)) {
        result.removed.push(blob.digest);
        result.freedBytes += blob.size;
      }
    }

    await this.collectIngestLeftovers(partialMaxAgeMs, result);
    result.removedPartials.sort();
    return result;
  }

  /** Removes what dead or abandoned writers left in ingest/: old partials, stale locks, temporary files. */
  private async collectIngestLeftovers(maxAgeMs: number, result: GarbageCollectResult): Promise<void> {
    const sizeIfOld = async (path: string): Promise<number | undefined> => {
      const info = await stat(path).catch(() => undefined);
      return info?.isFile() && Date.now() - info.mtimeMs >= maxAgeMs ? info.size : undefined;
    };
    for (const name of await readdirIfExists(this.ingestDirectory)) {
      const path = join(this.ingestDirectory, name);
      // Names are <hex>.partial, <hex>.lock, and the lock's <hex>.lock.break and <hex>.lock.*.tmp.
      const dot = name.indexOf('.');
      const hex = name.slice(0, dot);
      const suffix = name.slice(dot);
      const digest = `${hexLengthToAlgorithm.get(hex.length)}:${hex}`;
      if (dot === -1 || !isDigest(digest) || (await sizeIfOld(path)) === undefined) continue;
      if (suffix === '.lock.break' || (suffix.startsWith('.lock.') && suffix.endsWith('.tmp'))) {
        // Only ever exist for a moment, unless their writer died.
        await unlink(path).catch(() => {});
        continue;
      }
      if (suffix !== '.partial' && suffix !== '.lock') continue;
      // Through the writers' lock: it is broken only if its holder is dead, and no ingest can be
      // resuming a partial while it goes.
      const lock = await acquireFileLock(this.lockPath(parseDigest(digest)), { wait: false }).catch((err: unknown) => {
        if (err instanceof Conflict) return undefined;
        throw err;
      });
      if (!lock) continue;
      try {
        const size = suffix === '.partial' ? await sizeIfOld(path) : undefined;
        if (size !== undefined && (await unlink(path).then(() => true, () => false))) {
          result.removedPartials.push(digest);
          result.freedBytes += size;
        }
      } finally {
        await lock.release();
      }
    }
  }
}
