// A runc-compatible runtime binary (runc, crun, ...) driven through runc's command line: what
// berthd uses for a container whose HostConfig.Runtime names one of daemon.json's "runtimes".
// The bundle is the one berthd builds for its own runtime. The container's process is made by
// `<runtime> create`, run by the container's berth-monitor in place of berth-init: the
// runtime gives the container the monitor's pipes as stdio (or sends the pty master to the
// console socket, where the monitor receives it as from berth-init), and when `create` exits
// the container is reparented to the monitor, its subreaper. berthd reads the pid file, tells
// the monitor, and releases the program with `start`. Execs are `exec --detach` under an exec
// monitor in the same way; every other verb is the runtime's own command.
import { spawn, execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import type { Socket } from 'node:net';
import { join } from 'node:path';
import { BerthError, FailedPrecondition, InvalidArgument, NotFound } from '../errors.js';
import { runtimeCommandArgs } from '../monitor/launch.js';
import type { CgroupStats } from './cgroups/index.js';
import type { ExecOptions } from './container/exec.js';
import { ContainerSetupError, type Launcher } from './process/init-process.js';
import { SyncRecord, SyncRecordReader } from './process/protocol.js';
import type { Process } from './spec/types.js';

export interface OciRuntimeCommandOptions {
  /** The binary (daemon.json `runtimes.<name>.path`). */
  path: string;
  /** Options put before every command (daemon.json `runtimeArgs`), as dockerd does. */
  runtimeArgs?: string[] | undefined;
  /** The runtime's state directory (its --root). */
  root: string;
}

/** What `<runtime> state` prints (the OCI state, plus runc's extras). */
export interface OciState {
  id: string;
  status: 'creating' | 'created' | 'running' | 'paused' | 'stopped';
  pid: number;
  bundle: string;
  [key: string]: unknown;
}

/** The runtime's argv for one command: runtimeArgs, --root, optionally a JSON log, the command. */
export function runtimeArgv(options: OciRuntimeCommandOptions, command: string[], logFile?: string): string[] {
  return [
    ...(options.runtimeArgs ?? []),
    '--root', options.root,
    ...(logFile ? ['--log', logFile, '--log-format', 'json'] : []),
    ...command,
  ];
}

/** `create`, whole argv: the monitor runs it with the container's stdio. */
export function createCommand(options: OciRuntimeCommandOptions, create: { id: string; bundle: string; pidFile: string; logFile: string; consoleSocket?: string | undefined }): string[] {
  return [options.path, ...runtimeArgv(options, [
    'create', '--bundle', create.bundle, '--pid-file', create.pidFile,
    ...(create.consoleSocket ? ['--console-socket', create.consoleSocket] : []),
    create.id,
  ], create.logFile)];
}

/** `exec --detach`, whole argv: the exec monitor runs it with the process's stdio. */
export function execCommand(options: OciRuntimeCommandOptions, exec: { id: string; processFile: string; pidFile: string; logFile: string; consoleSocket?: string | undefined }): string[] {
  return [options.path, ...runtimeArgv(options, [
    'exec', '--detach', '--pid-file', exec.pidFile, '--process', exec.processFile,
    ...(exec.consoleSocket ? ['--console-socket', exec.consoleSocket] : []),
    exec.id,
  ], exec.logFile)];
}

/**
 * The process an exec runs: the container's own process with the caller's fields over it, as
 * berth's runtime does (runc's --process takes a whole process, not a difference). An env
 * without PATH keeps the container's PATH (Docker's default one when the image sets none),
 * which berth-init would otherwise use to find the program.
 */
export function execProcessSpec(base: Partial<Process> | undefined, given: Partial<Process>): Process {
  const basePath = base?.env?.find((e) => e.startsWith('PATH='));
  const env = given.env && basePath && !given.env.some((e) => e.startsWith('PATH=')) ? [basePath, ...given.env] : given.env;
  const merged: Process = {
    ...base,
    ...given,
    ...(env ? { env } : {}),
    user: given.user ?? base?.user ?? { uid: 0, gid: 0 },
    cwd: given.cwd ?? base?.cwd ?? '/',
  };
  if (!merged.terminal) delete merged.consoleSize;
  for (const key of Object.keys(merged) as (keyof Process)[]) if (merged[key] === undefined) delete merged[key];
  return merged;
}

/**
 * The reason in a runtime's JSON log (`--log-format json`): the last error's message, or the
 * last line when no line parses (a runtime that ignores the format).
 */
export function runtimeLogError(log: string): string | undefined {
  const lines = log.split('\n').map((l) => l.trim()).filter(Boolean);
  let message: string | undefined;
  for (const line of lines) {
    try {
      const entry = JSON.parse(line) as { level?: string; msg?: string };
      if ((entry.level === 'error' || entry.level === 'fatal') && entry.msg) message = entry.msg;
    } catch { /* not JSON */ }
  }
  return message ?? lines[lines.length - 1];
}

/** The reason in a runtime's stderr: runc's logrus text (`level=error msg="..."`) or the text itself. */
export function runtimeStderrError(stderr: string): string {
  const lines = stderr.split('\n').map((l) => l.trim()).filter(Boolean);
  for (const line of lines.reverse()) {
    const m = /\blevel=(?:error|fatal)\s+msg="((?:[^"\\]|\\.)*)"/.exec(line);
    if (m) return m[1]!.replace(/\\(.)/g, '$1');
  }
  return lines[0] ?? '';
}

/** The exit status Docker gives a process that could not be started, from the runtime's reason. */
export function setupExitStatus(message: string): number {
  if (/executable file not found|no such file or directory/i.test(message)) return 127;
  if (/permission denied|exec format error/i.test(message)) return 126;
  return 0;
}

const commandPath = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

export class OciRuntimeCommand {
  constructor(readonly options: OciRuntimeCommandOptions) {}

  /**
   * Creates the container under its monitor (the launcher) and returns the container's pid;
   * the pid file and the runtime's log go into the bundle directory.
   */
  async create(id: string, options: { bundle: string; launcher?: Launcher | undefined; consoleSocket?: string | undefined }): Promise<{ init: { pid: number } }> {
    if (!options.launcher) throw new InvalidArgument(`runtime ${this.options.path}: create needs a monitor`);
    // Left over from a run whose delete never happened (berthd died, say): the id is taken.
    if (existsSync(join(this.options.root, id))) await this.delete(id, { force: true }).catch(() => {});
    const pidFile = join(options.bundle, 'init.pid');
    const logFile = join(options.bundle, 'log.json');
    const status = await runUnderMonitor(options.launcher, createCommand(this.options, { id, bundle: options.bundle, pidFile, logFile, consoleSocket: options.consoleSocket }));
    if (status !== 0) {
      const reason = await failureReason(logFile, status);
      await this.delete(id, { force: true }).catch(() => { /* never made */ });
      throw new ContainerSetupError(`OCI runtime create failed: ${reason}`, setupExitStatus(reason));
    }
    return { init: { pid: await readPidFile(pidFile) } };
  }

  async start(id: string): Promise<void> {
    await this.run(['start', id]);
  }

  async state(id: string): Promise<OciState> {
    return JSON.parse(await this.run(['state', id])) as OciState;
  }

  async kill(id: string, signal: string | number, options: { all?: boolean | undefined } = {}): Promise<void> {
    await this.run(['kill', ...(options.all ? ['--all'] : []), id, String(signal)]);
  }

  async delete(id: string, options: { force?: boolean | undefined } = {}): Promise<void> {
    await this.run(['delete', ...(options.force ? ['--force'] : []), id]);
  }

  async pause(id: string): Promise<void> {
    await this.run(['pause', id]);
  }

  async resume(id: string): Promise<void> {
    await this.run(['resume', id]);
  }

  /** Every process of the container, as host pids. */
  async processes(id: string): Promise<number[]> {
    return (JSON.parse(await this.run(['ps', '--format', 'json', id])) as number[] | null) ?? [];
  }

  /** One sample, as `events --stats` prints it. */
  async stats(id: string): Promise<{ type: 'stats'; id: string; data: CgroupStats }> {
    return JSON.parse(await this.run(['events', '--stats', id])) as { type: 'stats'; id: string; data: CgroupStats };
  }

  /**
   * Runs a process in the container under its own monitor (the launcher). `scratchDir` holds
   * the process file, the pid file and the runtime's log; `whileStarting` runs before the
   * runtime is started, so that the caller can attach to the monitor first.
   */
  async exec(id: string, options: ExecOptions & { scratchDir: string }): Promise<{ pid: number }> {
    if (!options.launcher) throw new InvalidArgument(`runtime ${this.options.path}: exec needs a monitor`);
    const state = await this.state(id);
    if (state.status !== 'running') throw new FailedPrecondition(`container "${id}" is ${state.status}: exec needs a running container`);
    const spec = JSON.parse(await readFile(join(state.bundle, 'config.json'), 'utf8')) as { process?: Process };
    const processFile = join(options.scratchDir, 'process.json');
    const pidFile = join(options.scratchDir, 'exec.pid');
    const logFile = join(options.scratchDir, 'log.json');
    await writeFile(processFile, JSON.stringify(execProcessSpec(spec.process, options.process)), { mode: 0o600 });
    const command = execCommand(this.options, { id, processFile, pidFile, logFile, consoleSocket: options.consoleSocket });
    const status = await runUnderMonitor(options.launcher, command, options.whileStarting);
    if (status !== 0) {
      // runc says "exec failed: ..."; the caller words it as Docker does, with that prefix.
      const reason = (await failureReason(logFile, status)).replace(/^exec failed: /, '');
      throw new ContainerSetupError(reason, setupExitStatus(reason));
    }
    return { pid: await readPidFile(pidFile) };
  }

  /** Runs one command to its end; its stdout, or its reason as an error. */
  private run(command: string[]): Promise<string> {
    return new Promise((resolve, reject) => {
      execFile(this.options.path, runtimeArgv(this.options, command), { env: { PATH: commandPath }, maxBuffer: 16 << 20 }, (err, stdout, stderr) => {
        if (!err) return resolve(stdout);
        const reason = runtimeStderrError(stderr) || err.message;
        const message = `${command[0]}: ${reason}`;
        reject(/does not exist|not found/i.test(reason) ? new NotFound(message) : new FailedPrecondition(message));
      });
    });
  }
}

async function readPidFile(path: string): Promise<number> {
  const pid = Number.parseInt((await readFile(path, 'utf8')).trim(), 10);
  if (!Number.isInteger(pid) || pid <= 0) throw new BerthError('Internal', `${path}: no pid`);
  return pid;
}

async function failureReason(logFile: string, status: number): Promise<string> {
  const log = await readFile(logFile, 'utf8').catch(() => '');
  return runtimeLogError(log) ?? `the runtime exited with wait status ${status}`;
}

/**
 * Starts the monitor running `command` (see runtimeCommandArgs) and resolves with the
 * command's wait status. The monitor says on fd 4 that it listens; `whileStarting` then runs,
 * and one byte on fd 3 lets the command go. A monitor that fails before that reports why on
 * fd 3, as it does for berth-init (SYNC_ERROR).
 */
function runUnderMonitor(launcher: Launcher, command: string[], whileStarting?: () => Promise<void>): Promise<number> {
  const [stdin = 'ignore', stdout = 'ignore', stderr = 'ignore'] = launcher.stdio ?? [];
  const child = spawn(launcher.binary, runtimeCommandArgs(launcher, command), {
    stdio: [stdin, stdout, stderr, 'pipe', 'pipe'],
    cwd: '/',
    env: { PATH: commandPath },
    detached: true,
  });
  const channel = child.stdio[3] as Socket;
  const ready = child.stdio[4] as Socket;
  return new Promise<number>((resolve, reject) => {
    let settled = false;
    const settle = (err: Error | undefined, status = 0) => {
      if (settled) return;
      settled = true;
      // The monitor outlives berthd: nothing of it may keep the event loop alive.
      channel.destroy();
      ready.destroy();
      child.unref();
      if (err) reject(err);
      else resolve(status);
    };
    child.on('error', (err) => settle(new BerthError('Internal', `start ${launcher.binary}: ${err.message}`)));
    const reader = new SyncRecordReader();
    channel.on('error', () => { /* 'close' follows */ });
    channel.on('data', (chunk: Buffer) => {
      for (const r of reader.push(chunk)) {
        if (r.type === SyncRecord.Error) settle(new ContainerSetupError(r.payload.subarray(4).toString('utf8'), r.payload.readUInt32LE(0)));
        else if (r.type === SyncRecord.Exit) settle(undefined, r.payload.readInt32LE(0));
      }
    });
    channel.on('close', () => settle(new BerthError('Internal', `${launcher.binary} exited before ${command[0]} did`)));
    ready.on('error', () => { /* the monitor failed: fd 3 says why */ });
    ready.once('data', () => {
      (whileStarting ?? (() => Promise.resolve()))()
        .then(() => { if (!settled) channel.write(Buffer.from([1])); })
        .catch((err: Error) => {
          child.kill('SIGKILL'); // still waiting for the go-ahead: nothing ran
          settle(err);
        });
    });
  });
}
