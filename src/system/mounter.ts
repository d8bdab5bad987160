// The few host system calls Node has no binding for (mount, umount2, unshare of a network
// namespace), made by berth-mounter (native/mounter/mounter.c): one small process per Node
// process, started at the first request and kept, so that a container's start and exit cost a
// pipe round trip each instead of a fork and exec of util-linux from a large process.
// Requests are answered in order. The mounter exits when this process does (EOF on its stdin).
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import type { Socket } from 'node:net';
import type { Writable } from 'node:stream';
import { Internal } from '../errors.js';
import { defaultMounterBinary } from '../paths.js';

/** A request the mounter could not carry out: `errno` is the failed system call's. */
export class MountFailed extends Internal {
  constructor(message: string, readonly errno: number) {
    super(message);
  }
}

interface Pending {
  resolve: () => void;
  reject: (err: Error) => void;
}

export class Mounter {
  private child: ChildProcessByStdio<Writable, Socket, null> | undefined;
  private pending: Pending[] = [];
  private buffered: Buffer = Buffer.alloc(0);

  constructor(private readonly binary: string) {}

  /** mount(2). Relative paths in `data` (overlay's lowerdir) start at `cwd` when given. */
  mount(source: string, target: string, fstype: string, data: string, options: { flags?: number; cwd?: string } = {}): Promise<void> {
    return this.request(['mount', source, target, fstype, String(options.flags ?? 0), data, options.cwd ?? '']);
  }

  /** umount2(2); `flags` as MNT_DETACH (2). */
  unmount(target: string, flags = 0): Promise<void> {
    return this.request(['umount', target, String(flags)]);
  }

  /** A new network namespace with lo up, kept by a bind mount on `path` (an existing file). */
  createNetworkNamespace(path: string): Promise<void> {
    return this.request(['netns', path]);
  }

  private request(fields: string[]): Promise<void> {
    const child = this.child ?? this.start();
    const parts = [u32(fields.length)];
    for (const field of fields) {
      const bytes = Buffer.from(field);
      parts.push(u32(bytes.length), bytes);
    }
    return new Promise<void>((resolve, reject) => {
      this.pending.push({ resolve, reject });
      // Only a request in flight keeps the process alive: an idle mounter must not.
      child.stdout.ref();
      child.stdin.write(Buffer.concat(parts));
    });
  }

  private start(): ChildProcessByStdio<Writable, Socket, null> {
    const child = spawn(this.binary, [], { stdio: ['pipe', 'pipe', 'inherit'], cwd: '/', env: {} }) as ChildProcessByStdio<Writable, Socket, null>;
    this.child = child;
    child.unref();
    child.stdout.unref();
    child.stdin.on('error', () => { /* the exit below rejects what was pending */ });
    child.stdout.on('data', (chunk: Buffer) => this.receive(chunk));
    const lost = (reason: string) => {
      if (this.child !== child) return;
      this.child = undefined;
      this.buffered = Buffer.alloc(0);
      const failed = this.pending;
      this.pending = [];
      for (const p of failed) p.reject(new Internal(`berth-mounter (${this.binary}): ${reason}`));
    };
    child.on('error', (err) => lost(err.message));
    child.on('exit', (code, signal) => lost(`exited (${signal ?? code}) with requests unanswered`));
    return child;
  }

  private receive(chunk: Buffer): void {
    this.buffered = this.buffered.length ? Buffer.concat([this.buffered, chunk]) : chunk;
    while (this.buffered.length >= 8) {
      const length = this.buffered.readUInt32LE(4);
      if (this.buffered.length < 8 + length) break;
      const errno = this.buffered.readInt32LE(0);
      const message = this.buffered.subarray(8, 8 + length).toString('utf8');
      this.buffered = this.buffered.subarray(8 + length);
      const next = this.pending.shift();
      if (!next) continue;
      if (errno === 0) next.resolve();
      else next.reject(new MountFailed(message, errno));
    }
    if (this.pending.length === 0) this.child?.stdout.unref();
  }
}

function u32(value: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(value);
  return b;
}

let shared: Mounter | undefined;

/** This process's mounter. */
export function hostMounter(): Mounter {
  return (shared ??= new Mounter(defaultMounterBinary()));
}
