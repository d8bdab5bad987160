// The few host system calls Node has no binding for (mount, umount2, unshare of a network
// namespace), made by berth-mounter (native/mounter/mounter.c): one small process per Node
// process, started at the first request and kept, so that a container's start and exit cost a
// pipe round trip each instead of a fork and exec of util-linux from a large process. It also
// starts detached programs (the monitors) whose fds 3 and 4 connect back to this process: a
// fork of this large process holds the event loop for milliseconds, a fork of the mounter not.
// Requests are answered in order. The mounter exits when this process does (EOF on its stdin).
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer, type Server, type Socket } from 'node:net';
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
  resolve: (message: string) => void;
  reject: (err: Error) => void;
}

/** A program the mounter started: its pid, and the sockets that are its fds 3 and 4. */
export interface DetachedProgram {
  pid: number;
  fd3: Socket;
  fd4: Socket;
}

/** The sockets a spawn is waiting for, by the token they say first. */
interface Connecting {
  fds: Map<'3' | '4', Socket>;
  arrived: () => void;
}

const tokenLength = 32;

export class Mounter {
  private child: ChildProcessByStdio<Writable, Socket, null> | undefined;
  private pending: Pending[] = [];
  private buffered: Buffer = Buffer.alloc(0);
  /** Where spawned programs connect back: an abstract unix socket, so nothing is left on disk. */
  private connectBack: { server: Server; name: string } | undefined;
  private readonly connecting = new Map<string, Connecting>();

  constructor(private readonly binary: string) {}

  /** mount(2). Relative paths in `data` (overlay's lowerdir) start at `cwd` when given. */
  mount(source: string, target: string, fstype: string, data: string, options: { flags?: number; cwd?: string } = {}): Promise<void> {
    return this.request(['mount', source, target, fstype, String(options.flags ?? 0), data, options.cwd ?? '']).then(() => {});
  }

  /** umount2(2); `flags` as MNT_DETACH (2). */
  unmount(target: string, flags = 0): Promise<void> {
    return this.request(['umount', target, String(flags)]).then(() => {});
  }

  /** A new network namespace with lo up, kept by a bind mount on `path` (an existing file). */
  createNetworkNamespace(path: string): Promise<void> {
    return this.request(['netns', path]).then(() => {});
  }

  /**
   * Starts `argv` detached (its own session, stdio on /dev/null, an empty environment), with
   * fds 3 and 4 connected to this process. Rejects when the exec fails.
   */
  async spawnDetached(argv: string[]): Promise<DetachedProgram> {
    const name = await this.connectBackName();
    const token = randomBytes(tokenLength / 2).toString('hex');
    const fds = new Map<'3' | '4', Socket>();
    const connected = new Promise<void>((resolve) => this.connecting.set(token, { fds, arrived: resolve }));
    try {
      const pid = Number(await this.request(['spawn', `@${name}`, token, ...argv]));
      // Both connections were made before the mounter answered; their first bytes may still be on the way.
      await connected;
      return { pid, fd3: fds.get('3')!, fd4: fds.get('4')! };
    } catch (err) {
      for (const socket of fds.values()) socket.destroy();
      throw err;
    } finally {
      this.connecting.delete(token);
    }
  }

  private async connectBackName(): Promise<string> {
    if (this.connectBack) return this.connectBack.name;
    const name = `berth-connect-back-${process.pid}-${randomBytes(8).toString('hex')}`;
    const server = createServer((socket) => this.identify(socket));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(`\0${name}`, () => resolve());
    });
    server.unref();
    this.connectBack ??= { server, name };
    return this.connectBack.name;
  }

  /** Reads a connection's token and fd number, and hands it to the spawn that waits for it. */
  private identify(socket: Socket): void {
    let head = Buffer.alloc(0);
    socket.on('error', () => socket.destroy());
    const onData = (chunk: Buffer) => {
      head = Buffer.concat([head, chunk]);
      if (head.length < tokenLength + 1) return;
      socket.off('data', onData);
      socket.pause();
      const token = head.subarray(0, tokenLength).toString('latin1');
      const fd = head.subarray(tokenLength, tokenLength + 1).toString('latin1');
      const waiting = this.connecting.get(token);
      if (!waiting || (fd !== '3' && fd !== '4') || waiting.fds.has(fd)) {
        socket.destroy(); // not a connection of ours
        return;
      }
      const rest = head.subarray(tokenLength + 1);
      if (rest.length) socket.unshift(rest);
      waiting.fds.set(fd, socket);
      if (waiting.fds.size === 2) waiting.arrived();
    };
    socket.on('data', onData);
  }

  private request(fields: string[]): Promise<string> {
    const child = this.child ?? this.start();
    const parts = [u32(fields.length)];
    for (const field of fields) {
      const bytes = Buffer.from(field);
      parts.push(u32(bytes.length), bytes);
    }
    return new Promise<string>((resolve, reject) => {
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
      if (errno === 0) next.resolve(message);
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
