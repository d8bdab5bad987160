// `pause` and `resume`: the freezer stops every process of the container at once.
import { FailedPrecondition } from '../../errors.js';
import { containerStatus, openContainerCgroup, type RuntimeContext } from './context.js';

export async function pauseContainer(ctx: RuntimeContext, id: string): Promise<void> {
  const record = await ctx.store.read(id);
  const status = await containerStatus(ctx, record);
  if (status !== 'running') throw new FailedPrecondition(`container "${id}" is ${status}: only a running container can be paused`);
  await (await openContainerCgroup(ctx, record)).freeze();
}

export async function resumeContainer(ctx: RuntimeContext, id: string): Promise<void> {
  const record = await ctx.store.read(id);
  const status = await containerStatus(ctx, record);
  if (status !== 'paused') throw new FailedPrecondition(`container "${id}" is ${status}: only a paused container can be resumed`);
  await (await openContainerCgroup(ctx, record)).thaw();
}
