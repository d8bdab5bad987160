// `run`: create, start, wait for the container's exit, delete. The exit status comes from
// berth-init, which stays the container's parent for that (a foreground create).
import type { Readable } from 'node:stream';
import { Internal } from '../../errors.js';
import type { ExitStatus, InitProcess } from '../process/init-process.js';
import { openContainerCgroup, type RuntimeContext } from './context.js';
import { createContainer, type CreateOptions } from './create.js';
import { deleteContainer, hasOwnPidNamespace, removeStoppedContainer } from './delete.js';
import { startCreatedContainer } from './start.js';

export interface RunOptions extends Omit<CreateOptions, 'foreground'> {
  /** Called once the container runs, e.g. to forward signals to it or feed its stdin. */
  onStart?: ((init: InitProcess) => void) | undefined;
}

export interface RunResult {
  /** The exit code a shell would show: the program's own, or 128 + the killing signal. */
  exitCode: number;
  signal?: NodeJS.Signals | number | undefined;
  /** The kernel's OOM killer killed a process of the container. */
  oomKilled: boolean;
  /** What the container wrote, for streams given as 'pipe'. */
  stdout: string;
  stderr: string;
}

export async function runContainer(ctx: RuntimeContext, id: string, options: RunOptions): Promise<RunResult> {
  const { record, init } = await createContainer(ctx, id, { ...options, foreground: true });
  let exit: ExitStatus | undefined;
  try {
    const stdout = collect(init.stdout);
    const stderr = collect(init.stderr);
    await startCreatedContainer(ctx, record);
    options.onStart?.(init);
    exit = await init.wait();
    if (!exit) throw new Internal(`container "${id}": berth-init exited without reporting the container's exit`);
    const cgroup = await openContainerCgroup(ctx, record);
    const oomKills = await cgroup.oomKillCount();
    // berth-init reaped the container's init, and with a pid namespace of its own every other
    // process went too: only cgroups and state are left, removed without delete's checks.
    if (hasOwnPidNamespace(record)) await removeStoppedContainer(ctx, record, cgroup);
    else await deleteContainer(ctx, id, { force: true });
    return { ...exit, oomKilled: oomKills > 0, stdout: await stdout, stderr: await stderr };
  } finally {
    if (!exit) await deleteContainer(ctx, id, { force: true });
  }
}

function collect(stream: Readable | null): Promise<string> {
  if (!stream) return Promise.resolve('');
  const chunks: Buffer[] = [];
  stream.on('data', (chunk: Buffer) => chunks.push(chunk));
  return new Promise((resolve) => stream.once('close', () => resolve(Buffer.concat(chunks).toString('utf8'))));
}
