// The read-only verbs: state, list, ps and stats.
import { FailedPrecondition } from '../../errors.js';
import type { CgroupStats } from '../cgroups/index.js';
import { containerState, containerStatus, openContainerCgroup, type ContainerState, type RuntimeContext } from './context.js';

export async function stateOf(ctx: RuntimeContext, id: string): Promise<ContainerState> {
  const record = await ctx.store.read(id);
  return containerState(record, await containerStatus(ctx, record));
}

export async function listContainers(ctx: RuntimeContext): Promise<ContainerState[]> {
  const states: ContainerState[] = [];
  for (const id of await ctx.store.ids()) {
    try {
      states.push(await stateOf(ctx, id));
    } catch {
      /* deleted while listing */
    }
  }
  return states;
}

/** Every process of the container, as host pids. */
export async function processesOf(ctx: RuntimeContext, id: string): Promise<number[]> {
  const record = await ctx.store.read(id);
  return (await openContainerCgroup(ctx, record)).pids();
}

/** One sample, shaped as runc's `events --stats` prints it. */
export interface StatsEvent {
  type: 'stats';
  id: string;
  data: CgroupStats;
}

export async function statsOf(ctx: RuntimeContext, id: string): Promise<StatsEvent> {
  const record = await ctx.store.read(id);
  const status = await containerStatus(ctx, record);
  if (status === 'stopped') throw new FailedPrecondition(`container "${id}" is stopped: it has no usage to report`);
  return { type: 'stats', id, data: await (await openContainerCgroup(ctx, record)).stats() };
}
