// `GET /containers/{id}/logs`: the json-file log the monitor writes (Docker's format, rotated
// as <log>.1 … <log>.N), filtered by stream, since/until and tail, with timestamps if asked,
// framed with the multiplexed stream header unless the container has a TTY. `follow` goes on
// reading what the monitor appends, across rotations, until the container exits.
import { open, stat, type FileHandle } from 'node:fs/promises';
import type { Writable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { InvalidArgument } from '../../../errors.js';
import { logPath, type ContainerContext } from './context.js';
import { frameOutput, type OutputStream } from './stream-frames.js';

export interface LogOptions {
  stdout: boolean;
  stderr: boolean;
  follow: boolean;
  /** Nanoseconds since the epoch; entries before are skipped. */
  since?: bigint | undefined;
  until?: bigint | undefined;
  /** Only the last this many entries. */
  tail?: number | undefined;
  timestamps: boolean;
}

interface LogEntry {
  log: string;
  stream: OutputStream;
  time: string;
}

/** Docker's log time parameters: unix seconds with an optional fraction, or RFC 3339. */
export function parseLogTime(text: string | null, name: string): bigint | undefined {
  if (!text) return undefined;
  if (/^\d+(\.\d+)?$/.test(text)) {
    const [s, frac = ''] = text.split('.');
    return BigInt(s!) * 1_000_000_000n + BigInt((frac + '000000000').slice(0, 9));
  }
  const ms = Date.parse(text);
  if (Number.isNaN(ms)) throw new InvalidArgument(`invalid value for "${name}": ${text}`);
  return BigInt(ms) * 1_000_000n;
}

/** RFC 3339 with nanoseconds → ns since the epoch. */
function entryTime(time: string): bigint {
  const m = /^(.*T\d\d:\d\d:\d\d)(?:\.(\d+))?Z$/.exec(time);
  if (!m) return 0n;
  return BigInt(Date.parse(`${m[1]}Z`)) * 1_000_000n + BigInt(((m[2] ?? '') + '000000000').slice(0, 9));
}

function parseLines(text: string): LogEntry[] {
  const entries: LogEntry[] = [];
  for (const line of text.split('\n')) {
    if (!line) continue;
    try {
      entries.push(JSON.parse(line) as LogEntry);
    } catch {
      /* a line torn by a crash: skipped, as Docker does */
    }
  }
  return entries;
}

async function readWhole(path: string): Promise<string> {
  const fh = await open(path, 'r').catch(() => undefined);
  if (!fh) return '';
  try {
    return (await fh.readFile()).toString('utf8');
  } finally {
    await fh.close();
  }
}

export async function streamLogs(ctx: ContainerContext, nameOrId: string, options: LogOptions, out: Writable, closed: () => boolean): Promise<void> {
  const record = ctx.store.get(nameOrId);
  if (!options.stdout && !options.stderr) throw new InvalidArgument('Bad parameters: you must choose at least one stream');
  const tty = record.config.Tty ?? false;
  const path = logPath(ctx, record.id);
  const write = (entry: LogEntry): boolean => {
    if (entry.stream === 'stdout' ? !options.stdout : !options.stderr) return true;
    const t = entryTime(entry.time);
    if (options.since !== undefined && t < options.since) return true;
    if (options.until !== undefined && t > options.until) return false;
    const text = options.timestamps ? `${entry.time} ${entry.log}` : entry.log;
    out.write(tty ? Buffer.from(text) : frameOutput(entry.stream, Buffer.from(text)));
    return true;
  };

  // Every rotated file, oldest first, then the current one, which follow keeps reading.
  let history: LogEntry[] = [];
  for (let n = ctx.config.log.maxFiles - 1; n >= 1; n--) history.push(...parseLines(await readWhole(`${path}.${n}`)));
  const current = await open(path, 'r').catch(() => undefined);
  let pending = '';
  let position = 0;
  if (current) {
    const text = (await current.readFile()).toString('utf8');
    position = Buffer.byteLength(text);
    const cut = text.lastIndexOf('\n') + 1;
    pending = text.slice(cut);
    history.push(...parseLines(text.slice(0, cut)));
  }
  if (options.tail !== undefined && options.tail >= 0) history = options.tail === 0 ? [] : history.slice(-options.tail);
  for (const entry of history) if (!write(entry)) return void (await current?.close());
  if (!options.follow || !isLive(ctx, record.id)) return void (await current?.close());
  await follow(ctx, record.id, path, current, position, pending, write, closed);
}

function isLive(ctx: ContainerContext, id: string): boolean {
  const r = ctx.store.find(id);
  return r !== undefined && ['running', 'paused', 'restarting', 'created'].includes(r.state.status);
}

/** Reads what is appended, switching to the new file when the monitor rotates. */
async function follow(
  ctx: ContainerContext, id: string, path: string, first: FileHandle | undefined, start: number, startPending: string,
  write: (entry: LogEntry) => boolean, closed: () => boolean,
): Promise<void> {
  let fh = first;
  let position = start;
  let pending = startPending;
  let exited = false;
  void ctx.lifecycle.nextExit(id).then(() => (exited = true));
  try {
    for (;;) {
      if (closed()) return;
      const wasExited = exited;
      if (!fh) {
        fh = await open(path, 'r').catch(() => undefined);
        position = 0;
      }
      if (fh) {
        const chunk = Buffer.alloc(64 * 1024);
        for (;;) {
          const { bytesRead } = await fh.read(chunk, 0, chunk.length, position);
          if (bytesRead === 0) break;
          position += bytesRead;
          const text = pending + chunk.subarray(0, bytesRead).toString('utf8');
          const cut = text.lastIndexOf('\n') + 1;
          pending = text.slice(cut);
          for (const entry of parseLines(text.slice(0, cut))) if (!write(entry)) return;
        }
        // Rotated: the path names a new file; the old one is complete.
        const [now, mine] = await Promise.all([stat(path).catch(() => undefined), fh.stat()]);
        if (now && now.ino !== mine.ino) {
          await fh.close();
          fh = undefined;
          pending = '';
          continue;
        }
      }
      if (wasExited || !isLive(ctx, id)) return;
      await sleep(100);
    }
  } finally {
    await fh?.close();
  }
}
