// Stores a plain layer tar as a gzip blob in the content store, computing both digests on the
// way: the diff ID (uncompressed, for the image config) and the blob digest (compressed, for
// the manifest). The content store wants the digest before it takes a blob, so the compressed
// bytes go to a temporary file first and are ingested from there.
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { Parser } from 'tar';
import { InvalidArgument } from '../../errors.js';
import type { ContentStore } from '../content-store.js';
import type { Digest } from '../digest.js';

export interface StoredLayer {
  /** sha256 of the uncompressed tar. */
  diffId: Digest;
  /** Bytes of the uncompressed tar. */
  size: number;
  /** sha256 of the gzip blob, as the manifest names it. */
  digest: Digest;
  /** Bytes of the gzip blob. */
  compressedSize: number;
}

export interface StoreLayerOptions {
  /** Where the compressed blob is staged (default: the system's temporary directory). */
  tmpDir?: string;
  /** Parse the tar while hashing it and refuse what is not a tar archive; names it in errors. */
  validateAs?: string;
}

/**
 * Checks that the bytes fed to it form a tar archive (node-tar's strict parser): anything
 * failing before the end-of-archive blocks is refused. An archive of no entries is fine.
 */
class TarCheck {
  private readonly parser = new Parser({ strict: true, zstd: false, brotli: false });
  private failure: Error | undefined;
  private ended = false;
  private readonly finished: Promise<void>;

  constructor(private readonly what: string) {
    this.parser.on('entry', (entry: { resume(): void }) => entry.resume());
    this.parser.on('eof', () => {
      this.ended = true;
    });
    this.parser.on('error', (err: Error) => {
      if (!this.ended) this.failure ??= err;
    });
    this.finished = new Promise((resolve) => this.parser.on('end', () => resolve()));
  }

  write(chunk: Buffer): void {
    if (this.failure === undefined) this.parser.write(chunk);
    this.check();
  }

  async end(): Promise<void> {
    this.parser.end();
    await this.finished;
    this.check();
  }

  private check(): void {
    if (this.failure !== undefined) {
      throw new InvalidArgument(`${this.what} is not a tar archive: ${this.failure.message}`, { cause: this.failure });
    }
  }
}

export async function storeGzipLayer(store: ContentStore, plainTar: AsyncIterable<Buffer>, options: StoreLayerOptions = {}): Promise<StoredLayer> {
  const staging = await mkdtemp(join(options.tmpDir ?? tmpdir(), 'berth-layer-'));
  try {
    const plainHash = createHash('sha256');
    const compressedHash = createHash('sha256');
    let size = 0;
    let compressedSize = 0;
    const check = options.validateAs === undefined ? undefined : new TarCheck(options.validateAs);
    const blobPath = join(staging, 'layer.tar.gz');

    await pipeline(
      Readable.from(
        (async function* () {
          for await (const chunk of plainTar) {
            plainHash.update(chunk);
            size += chunk.length;
            check?.write(chunk);
            yield chunk;
          }
          await check?.end();
        })(),
        { objectMode: false },
      ),
      createGzip(),
      async function* (compressed: AsyncIterable<Buffer>) {
        for await (const chunk of compressed) {
          compressedHash.update(chunk);
          compressedSize += chunk.length;
          yield chunk;
        }
      },
      createWriteStream(blobPath, { mode: 0o600 }),
    );
    const digest: Digest = `sha256:${compressedHash.digest('hex')}`;
    await store.ingest(digest, compressedSize, createReadStream(blobPath));
    return { diffId: `sha256:${plainHash.digest('hex')}`, size, digest, compressedSize };
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}
