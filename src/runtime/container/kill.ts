// `kill`: a signal to the container's init, or with `all` to every process in its cgroup.
import { FailedPrecondition } from '../../errors.js';
import { containerStatus, openContainerCgroup, type RuntimeContext } from './context.js';
import { parseSignal } from './signals.js';

export interface KillOptions {
  /** Signal every process of the container, not only its init. */
  all?: boolean | undefined;
}

export async function killContainer(ctx: RuntimeContext, id: string, signal: string | number, options: KillOptions = {}): Promise<void> {
  const number = parseSignal(signal);
  const record = await ctx.store.read(id);
  const status = await containerStatus(ctx, record);
  if (status === 'stopped') throw new FailedPrecondition(`container "${id}" is not running`);
  const cgroup = await openContainerCgroup(ctx, record);
  if (options.all) await cgroup.killAll(number);
  else process.kill(record.pid, number);
  // A frozen process takes a SIGKILL only once thawed.
  if (status === 'paused' && number === 9) await cgroup.thaw();
}
