// Starts berth-init with a plan and follows its sync records: the container's pid, a pause
// for hooks, ready or a failure ("step: detail: error"), and in foreground mode its exit.
import { spawn } from 'node:child_process';
import type { Socket } from 'node:net';
import type { Readable, Writable } from 'node:stream';
import { BerthError, InvalidArgument } from '../../errors.js';
import { PlanRecord, SyncRecord, SyncRecordReader, encodeRecords, type PlanRecordBytes } from './protocol.js';

/** berth-init failed a step; `exitStatus` is 127/126 when the program cannot be run. */
export class ContainerSetupError extends BerthError {
  constructor(message: string, readonly exitStatus: number) {
    super(exitStatus === 127 ? 'NotFound' : 'FailedPrecondition', message);
  }
}

export interface ExitStatus {
  /** The exit code a shell would report: the code, or 128 + the signal number. */
  exitCode: number;
  signal?: NodeJS.Signals | number | undefined;
}

/** Where one of the container's standard streams goes. */
export type StdioSlot = number | 'inherit' | 'ignore' | 'pipe';

/**
 * A program started in place of berth-init, which runs berth-init itself (berth-monitor):
 * spawned detached as `binary ...args <berth-init path>`, with the plan socket on fd 3 and a
 * pipe on fd 4 where it writes one byte once ready; the plan is sent after that byte (or after
 * fd 4 closes, if it failed: it then reports why on the plan socket as berth-init would). It
 * gives berth-init the container's stdio itself, so `stdio` is not used. Not for foreground
 * plans: the container is reparented to the launcher, which must be its subreaper.
 */
export interface Launcher {
  binary: string;
  args: string[];
  /** The launcher's own stdin, stdout and stderr; 'ignore' by default. */
  stdio?: StdioSlot[] | undefined;
  /**
   * Starts the launcher instead of a fork of this process (berth-mounter's spawn, which a
   * large daemon's event loop does not wait on): `argv` detached, stdio on /dev/null, with
   * fds 3 and 4 connected to this process. Not used when `stdio` is given.
   */
  spawner?: ((argv: string[]) => Promise<{ pid: number; fd3: Socket; fd4: Socket }>) | undefined;
}

/** The process berth-init or its launcher runs in, however it was started. */
interface StartedProcess {
  pid: number | undefined;
  /** The plan socket (fd 3). */
  socket: Socket;
  /** The launcher's ready pipe (fd 4). */
  readyPipe: Socket | undefined;
  stdin: Writable | null;
  stdout: Readable | null;
  stderr: Readable | null;
  /** Where a failure to start is reported (a fork's 'error'). */
  onError(listener: (err: Error) => void): void;
  kill(): void;
  unref(): void;
}

export interface InitProcessOptions {
  binary: string;
  plan: PlanRecordBytes[];
  /** stdin, stdout, stderr of the container process (fds or 'inherit'/'ignore'). */
  stdio: StdioSlot[];
  /** Called while berth-init waits before pivot_root; returns records to send on. */
  onHooks?: (pid: number) => Promise<PlanRecordBytes[]>;
  /**
   * Work to finish before berth-init may act on the plan (creating the cgroups it joins). It
   * runs while berth-init starts up, so that the two overlap; the plan is sent once it is done.
   */
  whileStarting?: () => Promise<void>;
  /** Told the container's pid as soon as it exists, while its setup goes on. */
  onPid?: (pid: number) => void;
  /** Start this instead of berth-init, which it then runs (see Launcher). */
  launcher?: Launcher | undefined;
}

export function decodeWaitStatus(status: number): ExitStatus {
  const signal = status & 0x7f;
  if (signal === 0) return { exitCode: (status >> 8) & 0xff };
  return { exitCode: 128 + signal, signal };
}

/** A running berth-init and the container process it made. */
export class InitProcess {
  private constructor(
    readonly pid: number,
    private readonly exited: Promise<ExitStatus | undefined>,
    /** The container's stdin/stdout/stderr where the caller asked for 'pipe', else null. */
    readonly stdin: Writable | null,
    readonly stdout: Readable | null,
    readonly stderr: Readable | null,
    /** The launcher's pid, when there is one (it outlives berth-init). */
    readonly launcherPid: number | undefined,
  ) {}

  /** The container process's exit (foreground plans only). */
  wait(): Promise<ExitStatus | undefined> {
    return this.exited;
  }

  static start(options: InitProcessOptions): Promise<InitProcess> {
    const launcher = options.launcher;
    if (launcher && options.plan.some((r) => r.type === PlanRecord.Foreground)) {
      return Promise.reject(new InvalidArgument('a launcher runs the container in the background: it cannot be used in the foreground'));
    }
    return startProcess(options).then((child) => InitProcess.follow(options, child));
  }

  private static follow(options: InitProcessOptions, child: StartedProcess): Promise<InitProcess> {
    const launcher = options.launcher;
    const { socket, readyPipe } = child;
    const reader = new SyncRecordReader();
    let pid = 0;
    let settled = false;
    let resolveExit!: (s: ExitStatus | undefined) => void;
    const exited = new Promise<ExitStatus | undefined>((r) => (resolveExit = r));
    let spawnError: Error | undefined;
    // A launcher says when it is ready (listening) before berth-init may go on; if it failed
    // instead, the plan socket carries its reason.
    const launcherReady = readyPipe
      ? new Promise<void>((resolve) => {
        readyPipe.once('data', () => resolve());
        readyPipe.once('close', () => resolve());
        readyPipe.on('error', () => resolve());
        readyPipe.resume();
      })
      : Promise.resolve();
    const prepared = launcherReady.then(() => (options.whileStarting ?? (() => Promise.resolve()))());

    return new Promise<InitProcess>((resolve, reject) => {
      const failSetup = (err: Error) => {
        if (settled) return;
        settled = true;
        if (pid) killQuietly(pid);
        if (launcher) child.kill(); // it has nothing to monitor
        socket.destroy();
        // The caller undoes what whileStarting made: only once it has finished making it.
        prepared.then(() => reject(err), () => reject(err));
      };
      child.onError((err) => {
        spawnError = err;
        failSetup(new BerthError('Internal', `start ${options.binary}: ${err.message}`));
      });
      socket.on('error', () => { /* the peer vanished; 'close' reports it */ });
      socket.on('data', (chunk: Buffer) => {
        for (const r of reader.push(chunk)) {
          switch (r.type) {
            case SyncRecord.Pid:
              pid = r.payload.readUInt32LE(0);
              options.onPid?.(pid);
              break;
            case SyncRecord.Hooks:
              (options.onHooks ? options.onHooks(pid) : Promise.resolve([]))
                .then((extra) => {
                  const payload = encodeRecords(extra).subarray(0, -8); // without the END record
                  const header = Buffer.alloc(8);
                  header.writeUInt32LE(SyncRecord.Continue, 0);
                  header.writeUInt32LE(payload.length, 4);
                  socket.write(Buffer.concat([header, payload]));
                })
                .catch((err: Error) => failSetup(err));
              break;
            case SyncRecord.Ready:
              if (!settled) {
                settled = true;
                resolve(new InitProcess(pid, exited, child.stdin, child.stdout, child.stderr, launcher ? child.pid : undefined));
              }
              break;
            case SyncRecord.Error: {
              failSetup(new ContainerSetupError(r.payload.subarray(4).toString('utf8'), r.payload.readUInt32LE(0)));
              break;
            }
            case SyncRecord.Exit:
              resolveExit(decodeWaitStatus(r.payload.readInt32LE(0)));
              break;
          }
        }
      });
      socket.on('close', () => {
        resolveExit(undefined);
        if (!spawnError) failSetup(new BerthError('Internal', 'berth-init exited before the container was ready'));
      });
      socket.resume(); // a spawner's sockets come paused
      prepared
        .then(() => socket.write(encodeRecords(options.plan)))
        .catch((err: Error) => {
          failSetup(err);
          child.kill(); // still waiting for its plan
        });
    }).then((init) => {
      // A created container must not keep the runtime's event loop alive.
      if (!options.plan.some((r) => r.type === PlanRecord.Foreground)) {
        child.unref();
        socket.unref();
        readyPipe?.destroy();
      }
      return init;
    });
  }
}

/** berth-init, or its launcher: forked from this process, or started by the launcher's spawner. */
async function startProcess(options: InitProcessOptions): Promise<StartedProcess> {
  const launcher = options.launcher;
  if (launcher?.spawner && !launcher.stdio) {
    const started = await launcher.spawner([launcher.binary, ...launcher.args, options.binary]).catch((err: Error) => {
      throw new BerthError('Internal', `start ${launcher.binary}: ${err.message}`, { cause: err });
    });
    return {
      pid: started.pid,
      socket: started.fd3,
      readyPipe: started.fd4,
      stdin: null,
      stdout: null,
      stderr: null,
      onError: () => {},
      kill: () => killQuietly(started.pid),
      unref: () => {},
    };
  }
  const [stdin = 'inherit', stdout = 'inherit', stderr = 'inherit'] = launcher ? launcher.stdio ?? ['ignore', 'ignore', 'ignore'] : options.stdio;
  const child = launcher
    ? spawn(launcher.binary, [...launcher.args, options.binary], {
      stdio: [stdin, stdout, stderr, 'pipe', 'pipe'],
      cwd: '/',
      env: {},
      detached: true,
    })
    : spawn(options.binary, [], {
      stdio: [stdin, stdout, stderr, 'pipe'],
      cwd: '/',
      env: {},
    });
  return {
    pid: child.pid,
    socket: child.stdio[3] as Socket,
    readyPipe: launcher ? child.stdio[4] as Socket : undefined,
    stdin: child.stdin,
    stdout: child.stdout,
    stderr: child.stderr,
    onError: (listener) => child.on('error', listener),
    kill: () => child.kill('SIGKILL'),
    unref: () => child.unref(),
  };
}

function killQuietly(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    /* already gone */
  }
}
