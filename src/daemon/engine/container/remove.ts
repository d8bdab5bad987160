// `DELETE /containers/{id}`: a running container only with force (killed first), then its
// writable layer, its directory (record, logs, host files) and its name; then the image layers
// it was the last to need (its image removed with `rmi -f` meanwhile).
import { Conflict } from '../../../errors.js';
import { eventAttributes, type ContainerContext } from './context.js';
import type { ContainerRecord } from './record.js';
import { killLocked } from './stop.js';

export interface RemoveOptions {
  force?: boolean;
}

export function removeContainer(ctx: ContainerContext, nameOrId: string, options: RemoveOptions = {}): Promise<void> {
  const record = ctx.store.get(nameOrId);
  return ctx.locks.run(record.id, () => removeLocked(ctx, record, options));
}

export async function removeLocked(ctx: ContainerContext, record: ContainerRecord, options: RemoveOptions): Promise<void> {
  if (ctx.store.find(record.id) !== record) return; // removed meanwhile (AutoRemove)
  const running = record.state.status === 'running' || record.state.status === 'paused' || record.state.status === 'restarting';
  if (running && !options.force) {
    throw new Conflict(`cannot remove container "/${record.name}": container is running: stop the container before removing or force remove`);
  }
  if (running) await killLocked(ctx, record, 'SIGKILL', { waitForExit: true });
  record.state.status = 'removing';
  await ctx.images.driver.removeContainerLayer(record.id);
  await ctx.store.remove(record.id);
  // The layers of an image removed with `rmi -f` while this container stood, if it was the last.
  await ctx.images.containerRemoved(record.image).catch((err: unknown) => {
    process.stderr.write(`berthd: container ${record.id}: releasing the layers of image ${record.image}: ${String(err)}\n`);
  });
  ctx.events.publish('container', 'destroy', record.id, eventAttributes(record));
  ctx.lifecycle.removed(record.id, { exitCode: record.state.exitCode, oomKilled: record.state.oomKilled });
}
