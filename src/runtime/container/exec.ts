// `exec`: starts another process in a running container. berth-init joins the namespaces of
// the container's init (by /proc/<pid>/ns path) and its cgroups, then sets the process up as
// it does for init: user, capabilities, rlimits, no_new_privs and the container's seccomp.
import { statSync } from 'node:fs';
import { FailedPrecondition } from '../../errors.js';
import { buildExecPlan } from '../plan/build.js';
import { InitProcess, type Launcher, type StdioSlot } from '../process/init-process.js';
import { compileSeccompCached } from '../seccomp/index.js';
import type { NamespaceType, Process } from '../spec/types.js';
import { validateProcess } from '../spec/validate.js';
import { containerStatus, openContainerCgroup, type RuntimeContext } from './context.js';
import { writeFileAtomic } from '../../fs/atomic-write.js';

export interface ExecOptions {
  /** The process to run; fields left out are taken from the container's own process. */
  process: Partial<Process>;
  consoleSocket?: string | undefined;
  pidFile?: string | undefined;
  stdio?: StdioSlot[] | undefined;
  /** Return once the process runs instead of keeping berth-init to report its exit. */
  detach?: boolean | undefined;
  /** Start this (berth-monitor) in place of berth-init; needs detach (see CreateOptions). */
  launcher?: Launcher | undefined;
  /**
   * Runs once the launcher is ready and before the process is set up (e.g. attaching to the
   * monitor, so that no output is missed); the process waits for it.
   */
  whileStarting?: (() => Promise<void>) | undefined;
}

/** /proc/<pid>/ns/<name> for each namespace type. */
const procNamespaceName: Record<NamespaceType, string> = {
  pid: 'pid', network: 'net', mount: 'mnt', ipc: 'ipc', uts: 'uts', user: 'user', cgroup: 'cgroup', time: 'time',
};

export async function execInContainer(ctx: RuntimeContext, id: string, options: ExecOptions): Promise<InitProcess> {
  const record = await ctx.store.read(id);
  const status = await containerStatus(ctx, record);
  if (status !== 'running' && status !== 'created') {
    throw new FailedPrecondition(`container "${id}" is ${status}: exec needs a running container`);
  }
  const base = record.spec.process;
  const execProcess = validateProcess({ ...base, ...options.process, user: options.process.user ?? base?.user, cwd: options.process.cwd ?? base?.cwd });
  const cgroup = await openContainerCgroup(ctx, record);
  const seccomp = record.spec.linux?.seccomp;
  const plan = buildExecPlan({
    process: execProcess,
    namespaces: namespacesToJoin(record.pid, (record.spec.linux?.namespaces ?? []).map((n) => n.type)),
    cgroupProcsFiles: cgroup.procsFiles(),
    seccomp: seccomp ? compileSeccompCached(seccomp) : undefined,
    consoleSocket: options.consoleSocket,
    setsid: false,
    foreground: !options.detach,
  });
  const init = await InitProcess.start({
    binary: ctx.initBinary,
    plan,
    stdio: options.stdio ?? ['inherit', 'inherit', 'inherit'],
    launcher: options.launcher,
    whileStarting: options.whileStarting,
  });
  if (options.pidFile) await writeFileAtomic(options.pidFile, String(init.pid), 0o644);
  return init;
}

/**
 * The init's namespaces, except those it shares with the runtime: setns into one's own user
 * namespace fails, and joining any other that is already ours is a no-op worth skipping.
 */
function namespacesToJoin(pid: number, types: NamespaceType[]): { type: NamespaceType; path: string }[] {
  return [...new Set(types)]
    .map((type) => ({ type, path: `/proc/${pid}/ns/${procNamespaceName[type]}` }))
    .filter(({ type, path }) => statSync(path).ino !== statSync(`/proc/self/ns/${procNamespaceName[type]}`).ino);
}
