// Reads a plain (already decompressed) tar stream entry by entry with node-tar's Parser, which
// knows ustar, pax and GNU long names. Only parsing is delegated: what an entry does to the
// disk is decided in apply.ts. node-tar drops pax records it does not know, so extended
// attributes (`SCHILY.xattr.*`) are read here from the pax header's raw bytes
// (raw-meta-headers.ts), falling back to the text the parser reports.
import { Parser, type ReadEntry } from 'tar';
import { InvalidArgument } from '../../errors.js';
import { RawMetaHeaders } from './raw-meta-headers.js';

export interface TarEntry {
  /** The name as stored in the archive (not yet cleaned: see containment.ts). */
  readonly path: string;
  /** node-tar's type name: File, OldFile, ContiguousFile, Directory, GNUDumpDir, SymbolicLink, Link, CharacterDevice, BlockDevice, FIFO. */
  readonly type: string;
  readonly mode: number;
  readonly uid: number;
  readonly gid: number;
  readonly size: number;
  readonly mtime: Date | undefined;
  readonly atime: Date | undefined;
  readonly linkpath: string | undefined;
  readonly devMajor: number;
  readonly devMinor: number;
  /** Extended attributes from the entry's pax header. */
  readonly xattrs: ReadonlyMap<string, Buffer>;
  /** True when the pax header had xattr records that could not be decoded (binary values). */
  readonly xattrsDamaged: boolean;
  /** The entry's content; read it before asking for the next entry, or it is discarded. */
  body(): AsyncIterable<Buffer>;
}

export interface ReadTarOptions {
  /** Names errors: "layer sha256:…". */
  layerName: string;
  /** Called for entries of types berth cannot create (sparse files, tape headers, …). */
  onSkipped?: (path: string, type: string) => void;
}

interface PaxXattrs {
  xattrs: Map<string, Buffer>;
  damaged: boolean;
}

const noXattrs = (): PaxXattrs => ({ xattrs: new Map(), damaged: false });

/**
 * Extended attributes from the text of a pax header ("<len> <key>=<value>\n" records). node-tar
 * hands over that text decoded as UTF-8, so a binary value (security.capability, say) comes
 * back with replacement characters and its record length no longer matches: such headers are
 * reported as damaged rather than applied wrongly. Other meta texts (GNU long names) do not
 * parse as records and yield nothing.
 */
export function parsePaxXattrs(text: string | Buffer): PaxXattrs {
  const result = noXattrs();
  const bytes = typeof text === 'string' ? Buffer.from(text, 'utf8') : text;
  let position = 0;
  while (position < bytes.length) {
    const space = bytes.indexOf(0x20, position);
    const lengthText = space < 0 ? '' : bytes.toString('latin1', position, space);
    if (!/^[0-9]+$/.test(lengthText)) break;
    const length = Number(lengthText);
    const end = position + length;
    if (end > bytes.length || bytes[end - 1] !== 0x0a) {
      result.damaged ||= bytes.includes('SCHILY.xattr.');
      break;
    }
    const record = bytes.subarray(space + 1, end - 1);
    const equals = record.indexOf(0x3d);
    if (equals > 0) {
      const key = record.toString('utf8', 0, equals);
      if (key.startsWith('SCHILY.xattr.')) {
        result.xattrs.set(key.slice('SCHILY.xattr.'.length), Buffer.from(record.subarray(equals + 1)));
      }
    }
    position = end;
  }
  return result;
}

/**
 * The entries of a plain tar stream, in order. Errors of the archive (bad checksums, truncation)
 * are InvalidArgument; errors of `chunks` pass through unchanged.
 */
export async function* readTarEntries(chunks: AsyncIterable<Buffer>, options: ReadTarOptions): AsyncGenerator<TarEntry> {
  // strict: a checksum failure or a truncated archive is an error, not a warning. zstd/brotli
  // off: decompression happened before; node-tar would otherwise sniff again (it always sniffs
  // gzip, which is refused below).
  const parser = new Parser({ strict: true, zstd: false, brotli: false });
  const rawMeta = new RawMetaHeaders();
  const ready: { entry: TarEntry; raw: ReadEntry }[] = [];
  // The entry the parser is filling, which a failure must end.
  let current: ReadEntry | undefined;
  let pendingXattrs = noXattrs();
  let failure: unknown;
  let ended = false;
  let archiveEnded = false;
  let stopped = false;

  // One waiter each: the consumer (waiting for entries) and the feeder (waiting for drain).
  let wakeConsumer = (): void => {};
  let wakeFeeder = (): void => {};
  // Whoever reads an entry's body: woken by a failure too, since a destroyed entry never ends.
  const bodyReader = { wake: (): void => {} };
  const wake = (): void => {
    wakeConsumer();
    wakeFeeder();
    bodyReader.wake();
  };

  const fail = (err: unknown): void => {
    if (failure === undefined) {
      failure =
        err instanceof Error && 'tarCode' in err
          ? new InvalidArgument(`${options.layerName} is not a valid tar archive: ${err.message}`, { cause: err })
          : err;
    }
    // A consumer blocked in the middle of an entry's body must not wait forever.
    current?.destroy();
    wake();
  };

  parser.on('meta', (text: string) => {
    // The same header's raw bytes, when the scanner kept them: binary values survive.
    pendingXattrs = parsePaxXattrs(rawMeta.takeNext() ?? text);
  });
  parser.on('entry', (raw: ReadEntry) => {
    const { xattrs, damaged } = pendingXattrs;
    pendingXattrs = noXattrs();
    raw.on('error', () => {}); // reported through `failure`
    current = raw;
    ready.push({ entry: toEntry(raw, xattrs, damaged, () => failure), raw });
    wake();
  });
  parser.on('ignoredEntry', (raw: ReadEntry) => {
    pendingXattrs = noXattrs();
    if (!raw.meta) options.onSkipped?.(raw.path, raw.type);
  });
  parser.on('eof', () => {
    archiveEnded = true;
  });
  parser.on('error', fail);
  parser.on('end', () => {
    ended = true;
    wake();
  });

  const feeding = (async () => {
    try {
      let first = true;
      for await (const chunk of chunks) {
        if (failure !== undefined || stopped) return;
        if (first && chunk.length >= 2 && chunk[0] === 0x1f && chunk[1] === 0x8b) {
          throw new InvalidArgument(`${options.layerName} is compressed twice (gzip inside the layer's compression)`);
        }
        first = false;
        // After the end-of-archive blocks, the rest (padding) is only counted by the caller.
        if (archiveEnded) continue;
        rawMeta.push(chunk);
        if (!parser.write(chunk)) {
          await new Promise<void>((resolve) => {
            const done = (): void => {
              parser.off('drain', done);
              wakeFeeder = () => {};
              resolve();
            };
            parser.on('drain', done);
            wakeFeeder = done;
          });
        }
      }
      if (failure === undefined && !stopped) parser.end();
    } catch (err) {
      fail(err);
    }
  })();

  let finished = false;
  try {
    for (;;) {
      const next = ready.shift();
      if (next) {
        yield next.entry;
        // Whatever the consumer did not read is discarded, so that the parser moves on.
        next.raw.resume();
        continue;
      }
      if (failure !== undefined) throw failure;
      if (ended) break;
      await new Promise<void>((resolve) => {
        wakeConsumer = () => {
          wakeConsumer = () => {};
          resolve();
        };
      });
    }
    await feeding;
    if (failure !== undefined) throw failure;
    finished = true;
  } finally {
    if (!finished) {
      // The feeder stops at its next chunk; the caller ends the source stream.
      stopped = true;
      wake();
    }
  }

  function toEntry(raw: ReadEntry, xattrs: Map<string, Buffer>, xattrsDamaged: boolean, failed: () => unknown): TarEntry {
    return {
      path: raw.path,
      type: raw.type,
      mode: raw.mode ?? 0,
      uid: raw.uid ?? 0,
      gid: raw.gid ?? 0,
      size: raw.size,
      mtime: raw.mtime,
      atime: raw.atime,
      linkpath: raw.linkpath,
      devMajor: raw.header.devmaj,
      devMinor: raw.header.devmin,
      xattrs,
      xattrsDamaged,
      body: () => readBody(raw, failed, bodyReader),
    };
  }
}

/**
 * An entry's data, chunk by chunk. Pausing the entry after each chunk is what holds the parser
 * back (its write() returns false until the entry drains), so memory stays bounded.
 */
async function* readBody(raw: ReadEntry, failed: () => unknown, waiter: { wake: () => void }): AsyncGenerator<Buffer> {
  const queue: Buffer[] = [];
  let ended = raw.emittedEnd;
  let wakeUp = (): void => {};
  const onData = (chunk: Buffer): void => {
    queue.push(chunk);
    raw.pause();
    wakeUp();
  };
  const onEnd = (): void => {
    ended = true;
    wakeUp();
  };
  raw.on('data', onData);
  raw.on('end', onEnd);
  try {
    raw.resume();
    for (;;) {
      const chunk = queue.shift();
      if (chunk) {
        yield chunk;
        if (queue.length === 0 && !ended) raw.resume();
        continue;
      }
      if (failed() !== undefined) throw failed();
      if (ended) return;
      await new Promise<void>((resolve) => {
        wakeUp = waiter.wake = () => {
          wakeUp = waiter.wake = () => {};
          resolve();
        };
      });
    }
  } finally {
    raw.off('data', onData);
    raw.off('end', onEnd);
  }
}
