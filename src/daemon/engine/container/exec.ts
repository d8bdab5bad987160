// `docker exec`: an exec instance is created (POST /containers/{id}/exec), then started over a
// hijacked connection or detached. Each exec runs under its own monitor, like the container,
// which holds its stdio or pty; berthd attaches to that monitor before the process is let go,
// so no output is lost, and reads the exit code from it for `GET /exec/{id}/json`.
import { randomBytes } from 'node:crypto';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Duplex } from 'node:stream';
import { Conflict, FailedPrecondition, InvalidArgument, NotFound } from '../../../errors.js';
import { MonitorClient } from '../../../monitor/client.js';
import { monitorLauncher } from '../../../monitor/launch.js';
import { defaultMonitorBinary } from '../../../paths.js';
import { ContainerSetupError } from '../../../runtime/process/init-process.js';
import { eventAttributes, type ContainerContext } from './context.js';
import { parseDetachKeys } from './detach-keys.js';
import { wireConnection } from './hijacked-streams.js';
import type { ContainerRecord } from './record.js';
import { frameOutput } from './stream-frames.js';
import { resolveUser } from './spec/user.js';
import { runtimeFor } from './container-runtime.js';

export interface ExecCreateRequest {
  AttachStdin?: boolean;
  AttachStdout?: boolean;
  AttachStderr?: boolean;
  DetachKeys?: string;
  Tty?: boolean;
  ConsoleSize?: [number, number] | null;
  Env?: string[] | null;
  Cmd?: string[] | null;
  Privileged?: boolean;
  User?: string;
  WorkingDir?: string;
}

export interface ExecStartOptions {
  Detach?: boolean;
  Tty?: boolean;
  ConsoleSize?: [number, number] | null;
}

interface ExecInstance {
  id: string;
  container: ContainerRecord;
  request: ExecCreateRequest;
  running: boolean;
  started: boolean;
  exitCode: number | null;
  pid: number;
  monitor?: MonitorClient;
  runDir: string;
}

const execs = new Map<string, ExecInstance>();

export function createExec(ctx: ContainerContext, nameOrId: string, request: ExecCreateRequest): { Id: string } {
  const container = ctx.store.get(nameOrId);
  if (container.state.status !== 'running') {
    throw new FailedPrecondition(`container ${container.id} is not running`);
  }
  if (!request.Cmd?.length) throw new InvalidArgument('No exec command specified');
  parseDetachKeys(request.DetachKeys);
  const id = randomBytes(32).toString('hex');
  execs.set(id, { id, container, request, running: false, started: false, exitCode: null, pid: 0, runDir: ctx.paths.execRun(id) });
  ctx.events.publish('container', `exec_create: ${request.Cmd.join(' ')}`, container.id, eventAttributes(container, { execID: id }));
  return { Id: id };
}

function getExec(id: string): ExecInstance {
  const exec = execs.get(id);
  if (!exec) throw new NotFound(`No such exec instance: ${id}`);
  return exec;
}

export async function startExec(ctx: ContainerContext, id: string, options: ExecStartOptions, hijack: (() => { socket: Duplex; head: Buffer }) | undefined): Promise<void> {
  const exec = getExec(id);
  if (exec.started) throw new Conflict(`Error: Exec command ${id} has already run`);
  const container = exec.container;
  if (container.state.status !== 'running') throw new FailedPrecondition(`container ${container.id} is not running`);
  exec.started = true;
  const request = exec.request;
  const tty = request.Tty ?? options.Tty ?? false;
  const socketPath = join(exec.runDir, 'monitor.sock');
  await mkdir(exec.runDir, { recursive: true, mode: 0o700 });
  const hijacked = hijack?.();
  const connection = hijacked?.socket;
  let monitor: MonitorClient | undefined;
  try {
    const launcher = monitorLauncher(defaultMonitorBinary(), {
      socketPath,
      exitFile: join(exec.runDir, 'exit.json'),
      stdin: request.AttachStdin ?? false,
      tty,
      consoleSocketPath: tty ? join(exec.runDir, 'console.sock') : undefined,
    });
    const init = await runtimeFor(ctx, container).exec(container.id, {
      scratchDir: exec.runDir,
      process: {
        args: request.Cmd!,
        env: [...(container.config.Env ?? []), ...(request.Env ?? [])],
        terminal: tty,
        user: await execUser(ctx, container, request.User),
        ...(request.WorkingDir ? { cwd: request.WorkingDir } : {}),
        ...(request.ConsoleSize ?? options.ConsoleSize ? { consoleSize: { height: (request.ConsoleSize ?? options.ConsoleSize)![0], width: (request.ConsoleSize ?? options.ConsoleSize)![1] } } : {}),
      },
      consoleSocket: tty ? join(exec.runDir, 'console.sock') : undefined,
      detach: true,
      launcher,
      // Attached before the process may run, so that its first output reaches the client.
      whileStarting: async () => {
        monitor = await MonitorClient.connect(socketPath);
        if (hijacked) await wireExec(exec, monitor, hijacked.socket, hijacked.head, tty);
      },
    });
    exec.pid = init.pid;
    exec.running = true;
    monitor!.sendPid(init.pid);
    ctx.events.publish('container', `exec_start: ${request.Cmd!.join(' ')}`, container.id, eventAttributes(container, { execID: id }));
    const finished = monitor!.exited().then((e) => e.exitCode, () => 255);
    void finished.then(async (code) => {
      exec.running = false;
      exec.exitCode = code;
      ctx.events.publish('container', 'exec_die', container.id, eventAttributes(container, { execID: id, exitCode: String(code) }));
      monitor!.close();
      await rm(exec.runDir, { recursive: true, force: true }).catch(() => {});
    });
    exec.monitor = monitor;
  } catch (err) {
    exec.exitCode = err instanceof ContainerSetupError ? err.exitStatus || 126 : 126;
    if (connection) {
      // Already hijacked: the client reads the error as output, then the exit code from inspect.
      // Written before the monitor's connection closes, which ends the client's.
      const message = `OCI runtime exec failed: exec failed: ${(err as Error).message}: unknown\r\n`;
      connection.end(tty ? Buffer.from(message) : frameOutput('stderr', Buffer.from(message)));
    }
    monitor?.close();
    await rm(exec.runDir, { recursive: true, force: true }).catch(() => {});
    if (connection) return;
    throw err;
  }
}

/** The exec's user, resolved in the container's own passwd and group files. */
async function execUser(ctx: ContainerContext, container: ContainerRecord, user: string | undefined) {
  const rootfs = await ctx.images.driver.mountContainer(container.id);
  const resolved = await resolveUser(rootfs, user || container.config.User || undefined, container.hostConfig.GroupAdd ?? []);
  return { uid: resolved.uid, gid: resolved.gid, additionalGids: resolved.additionalGids };
}

async function wireExec(exec: ExecInstance, monitor: MonitorClient, connection: Duplex, head: Buffer, tty: boolean): Promise<void> {
  const request = exec.request;
  const streams = await monitor.attach({ stdin: request.AttachStdin ?? false, stdout: request.AttachStdout ?? true, stderr: (request.AttachStderr ?? true) && !tty });
  const finish = () => {
    if (!connection.destroyed) connection.end();
  };
  monitor.exited().then(finish, finish);
  wireConnection(connection, head, streams, { tty, detachKeys: request.DetachKeys, finish, closeStdinAtEnd: true });
}

export function inspectExec(id: string) {
  const exec = getExec(id);
  const r = exec.request;
  return {
    ID: exec.id,
    Running: exec.running,
    ExitCode: exec.exitCode,
    ProcessConfig: { tty: r.Tty ?? false, entrypoint: r.Cmd?.[0] ?? '', arguments: r.Cmd?.slice(1) ?? [], privileged: r.Privileged ?? false, user: r.User ?? '' },
    OpenStdin: r.AttachStdin ?? false,
    OpenStderr: r.AttachStderr ?? false,
    OpenStdout: r.AttachStdout ?? false,
    CanRemove: !exec.running && exec.started,
    ContainerID: exec.container.id,
    DetachKeys: r.DetachKeys ?? '',
    Pid: exec.pid,
  };
}

export async function resizeExec(id: string, rows: number, columns: number): Promise<void> {
  const exec = getExec(id);
  if (!exec.monitor) throw new FailedPrecondition(`exec ${id} is not running`);
  exec.monitor.resize(rows, columns);
}

/** Forgets the execs of a container that is gone. */
export function forgetExecs(containerId: string): void {
  for (const [id, exec] of execs) if (exec.container.id === containerId && !exec.running) execs.delete(id);
}
