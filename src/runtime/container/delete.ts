// `delete`: removes a created or stopped container (any container with `force`, after killing
// it), with everything it had on the host: processes, cgroup directories and the state
// directory; then runs the poststop hooks.
import { FailedPrecondition, NotFound } from '../../errors.js';
import { runHooksBestEffort } from '../hooks.js';
import type { Cgroup } from '../cgroups/index.js';
import { containerState, containerStatus, openContainerCgroup, type RuntimeContext } from './context.js';
import type { ContainerRecord } from './state.js';
import { waitForProcessExit } from './process-identity.js';

export interface DeleteOptions {
  /** Kill a running or paused container first, and succeed if it does not exist. */
  force?: boolean | undefined;
}

/** Deletes the container; returns the poststop hook failures, which the spec only logs. */
export async function deleteContainer(ctx: RuntimeContext, id: string, options: DeleteOptions = {}): Promise<Error[]> {
  let record;
  try {
    record = await ctx.store.read(id);
  } catch (err) {
    if (!(err instanceof NotFound) || !options.force) throw err;
    await ctx.store.remove(id); // the directory of a create that died before writing state
    return [];
  }
  const status = await containerStatus(ctx, record);
  if ((status === 'running' || status === 'paused') && !options.force) {
    throw new FailedPrecondition(`container "${id}" is ${status}: stop it first, or delete with --force`);
  }
  const cgroup = await openContainerCgroup(ctx, record);
  if (status !== 'stopped') {
    try {
      process.kill(record.pid, 'SIGKILL');
    } catch {
      /* it exited meanwhile */
    }
    if (status === 'paused') await cgroup.thaw();
    if (!(await waitForProcessExit(record.pid, record.initStartTime, 10_000))) {
      throw new FailedPrecondition(`container "${id}": its process ${record.pid} did not exit after SIGKILL`);
    }
  }
  // Without its own pid namespace, a container's other processes outlive its init; with one,
  // the kernel has killed them all with it.
  if (!hasOwnPidNamespace(record) && (await cgroup.pids()).length > 0) await cgroup.killAll('SIGKILL');
  return removeStoppedContainer(ctx, record, cgroup);
}

export function hasOwnPidNamespace(record: ContainerRecord): boolean {
  return (record.spec.linux?.namespaces ?? []).some((n) => n.type === 'pid' && !n.path);
}

/** What is left of a container whose processes are all gone: its cgroups and its state. */
export async function removeStoppedContainer(ctx: RuntimeContext, record: ContainerRecord, cgroup: Cgroup): Promise<Error[]> {
  await cgroup.destroy();
  const failures = await runHooksBestEffort('poststop', record.spec.hooks?.poststop, containerState(record, 'stopped'));
  await ctx.store.remove(record.id);
  return failures;
}
